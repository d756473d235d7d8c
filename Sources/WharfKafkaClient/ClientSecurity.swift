import KafkaProtocol
import WharfAuth

/// How this client reaches a cluster's listeners (what a `--command-config` file says):
/// Kafka's `security.protocol`, the TLS context when the bytes travel inside TLS, and the SASL
/// login when the client authenticates. Every broker connection of a client uses the same.
public struct ClientSecurity: Sendable {
    public var securityProtocol: SecurityProtocol
    /// Set exactly when `securityProtocol.usesTLS`.
    public var tls: ClientTLS?
    /// Set exactly when `securityProtocol.requiresSASL`.
    public var sasl: SaslLogin?

    public init(securityProtocol: SecurityProtocol = .plaintext, tls: ClientTLS? = nil, sasl: SaslLogin? = nil) {
        self.securityProtocol = securityProtocol
        self.tls = tls
        self.sasl = sasl
    }

    public static let plaintext = ClientSecurity()
}

/// A SASL user and password for one mechanism. The password never appears in a description.
public struct SaslLogin: Sendable, Equatable, CustomStringConvertible {
    public var mechanism: SaslMechanism
    public var user: String
    public var password: String

    public init(mechanism: SaslMechanism, user: String, password: String) {
        self.mechanism = mechanism
        self.user = user
        self.password = password
    }

    public var description: String { "\(mechanism.rawValue) as \(user)" }
}
