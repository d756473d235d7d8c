/// Kafka's `ssl.client.auth`, used by every TLS listener: whether it asks clients for a certificate.
public enum TLSClientAuth: String, Sendable, Hashable, CaseIterable {
    /// No client certificate is asked for; clients are anonymous (`User:ANONYMOUS`).
    case none
    /// A certificate is asked for and verified if sent; a client without one still connects.
    case requested
    /// Mutual TLS: a client without a certificate signed by the CA is refused in the handshake.
    case required
}
