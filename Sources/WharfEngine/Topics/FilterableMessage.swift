/// What topic rules see of a message: its system properties (by Service Bus name) and its
/// application properties. Filters never look at the body (Service Bus does not either).
public struct FilterableMessage: Sendable {
    /// Lower-cased system property names (`messageid`, `label`, ...) to values.
    var system: [String: String]
    public var properties: [String: String]
    /// The wire type of the non-string properties (so `quantity > 5` compares numbers).
    public var propertyTypes: [String: ApplicationPropertyType]

    public init(_ m: OutgoingMessage) {
        var s: [String: String] = [:]
        s["messageid"] = m.messageId
        s["correlationid"] = m.correlationId
        s["to"] = m.to
        s["replyto"] = m.replyTo
        s["label"] = m.subject
        s["subject"] = m.subject
        s["sessionid"] = m.sessionId
        s["contenttype"] = m.contentType
        s["replytosessionid"] = m.replyToSessionId
        s["timetolive"] = m.timeToLiveMillis.map { String($0) }
        system = s
        properties = m.applicationProperties
        propertyTypes = m.applicationPropertyTypes
    }

    /// A system property by its Service Bus name (case-insensitive: `sys.Label`, `sys.label`).
    public func system(_ name: String) -> String? { system[name.lowercased()] }

    /// An application property: exact name first, then case-insensitively (Service Bus property
    /// names in filters are case-insensitive).
    public func property(_ name: String) -> String? { propertyName(name).flatMap { properties[$0] } }

    /// The type an application property was sent with (nil: a string, or no such property).
    public func propertyType(_ name: String) -> ApplicationPropertyType? { propertyName(name).flatMap { propertyTypes[$0] } }

    /// The exact key of the property `name` refers to (case-insensitively), if there is one.
    func propertyName(_ name: String) -> String? {
        if properties[name] != nil { return name }
        let lower = name.lowercased()
        return properties.keys.first { $0.lowercased() == lower }
    }
}
