import WharfCore

/// Application properties a receiver sets while it settles a message (the .NET SDK's
/// `propertiesToModify` on abandon, defer and dead-letter, reference §4.6): each name gets the
/// value (canonical text, see `ApplicationPropertyType`) and type given, replacing what was there;
/// properties not named are kept. The next receive, peek or dead-letter copy shows them.
public struct ApplicationPropertyChanges: Codable, Equatable, Sendable {
    public var values: [String: String]
    /// The type of each non-string value (absent: a string).
    public var types: [String: ApplicationPropertyType]

    public init(values: [String: String] = [:], types: [String: ApplicationPropertyType] = [:]) {
        self.values = values
        self.types = types
    }

    public var isEmpty: Bool { values.isEmpty }

    /// `self`, then `later` on top.
    func merged(with later: ApplicationPropertyChanges) -> ApplicationPropertyChanges {
        var out = self
        for (name, value) in later.values {
            out.values[name] = value
            out.types[name] = later.types[name]
        }
        return out
    }

    /// Refuses names the broker owns (its `x-sb-` prefix, the dead-letter reason and
    /// description, which only dead-lettering sets).
    func validate() throws(WharfError) {
        for name in values.keys {
            if name.hasPrefix(QueueMessageCodec.systemPrefix) || name == QueueMessageCodec.deadLetterReason
                || name == QueueMessageCodec.deadLetterDescription {
                throw .invalidArgument("the application property '\(name)' cannot be modified on settlement")
            }
        }
    }

    func apply(to properties: inout [String: String], types propertyTypes: inout [String: ApplicationPropertyType]) {
        for (name, value) in values {
            properties[name] = value
            propertyTypes[name] = types[name]
        }
    }

    func apply(to stored: inout QueueMessageCodec.Stored) {
        for (name, value) in values {
            stored.properties[name] = value
            stored.system[QueueMessageCodec.propertyTypePrefix + name] = types[name]?.rawValue
        }
    }
}
