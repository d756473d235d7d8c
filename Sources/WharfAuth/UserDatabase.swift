import WharfCore

/// The users and their credentials, by mechanism.
public struct UserDatabase: Sendable, Equatable {
    public var users: [String: [SaslMechanism: ScramCredential]] = [:]
    public init() {}

    /// A user name Kafka clients can send: 1...255 bytes of UTF-8 without control characters.
    public static func validate(userName name: String) throws(WharfError) {
        guard !name.isEmpty, name.utf8.count <= 255 else { throw .invalidArgument("a user name has 1 to 255 bytes") }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidArgument("a user name cannot contain control characters")
        }
    }
}
