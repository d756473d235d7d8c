/// Kafka's `security.protocol`, of a listener or of a client reaching one: whether the bytes
/// travel inside TLS and whether the client authenticates with SASL before anything else.
public enum SecurityProtocol: String, Sendable, Hashable, CaseIterable {
    case plaintext = "PLAINTEXT"
    case ssl = "SSL"
    case saslPlaintext = "SASL_PLAINTEXT"
    case saslSSL = "SASL_SSL"

    public var requiresSASL: Bool { self == .saslPlaintext || self == .saslSSL }
    public var usesTLS: Bool { self == .ssl || self == .saslSSL }
}
