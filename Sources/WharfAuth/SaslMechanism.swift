/// The SASL mechanisms Wharf's Kafka listener offers, by their Kafka names.
public enum SaslMechanism: String, Sendable, CaseIterable, Hashable, Codable {
    case plain = "PLAIN"
    case scramSha256 = "SCRAM-SHA-256"
    case scramSha512 = "SCRAM-SHA-512"

    /// The hash a stored credential of this mechanism is made with. PLAIN keeps no password:
    /// it is verified against a SCRAM-SHA-512 salted credential.
    public var hash: ScramHash {
        switch self {
        case .plain, .scramSha512: .sha512
        case .scramSha256: .sha256
        }
    }

    /// The SCRAM mechanism of Kafka's `ScramMechanism` type code (KIP-554): 1 SCRAM-SHA-256,
    /// 2 SCRAM-SHA-512.
    public init?(scramTypeCode code: Int8) {
        switch code {
        case 1: self = .scramSha256
        case 2: self = .scramSha512
        default: return nil
        }
    }

    /// Kafka's `ScramMechanism` type code; nil for PLAIN.
    public var scramTypeCode: Int8? {
        switch self {
        case .plain: nil
        case .scramSha256: 1
        case .scramSha512: 2
        }
    }

    /// "User:NAME", Kafka's principal for a SASL-authenticated user.
    public static func principal(of user: String) -> String { "User:" + user }
}
