/// Kafka's `security.protocol` of a listener: whether clients must authenticate with SASL, and
/// whether the connection is TLS.
public enum SecurityProtocol: Sendable {
    case plaintext, ssl, saslPlaintext, saslSSL

    public var requiresSASL: Bool { self == .saslPlaintext || self == .saslSSL }
    public var usesTLS: Bool { self == .ssl || self == .saslSSL }
}
