/// What topic rules see of a message: its system properties (by Service Bus name) and its
/// application properties. Filters never look at the body (Service Bus does not either).
public struct FilterableMessage: Sendable {
    /// Lower-cased system property names (`messageid`, `label`, ...) to values.
    var system: [String: String]
    public var properties: [String: String]

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
    }

    /// A system property by its Service Bus name (case-insensitive: `sys.Label`, `sys.label`).
    public func system(_ name: String) -> String? { system[name.lowercased()] }

    /// An application property: exact name first, then case-insensitively (Service Bus property
    /// names in filters are case-insensitive).
    public func property(_ name: String) -> String? {
        if let v = properties[name] { return v }
        let lower = name.lowercased()
        return properties.first { $0.key.lowercased() == lower }?.value
    }
}
