/// What a SASL server answers to one client token.
public enum SaslStep: Sendable, Equatable {
    /// Send these bytes and wait for the client's next token.
    case challenge([UInt8])
    /// Authenticated as `user`; send `final` (SCRAM's server-final message, empty for PLAIN).
    case success(user: String, final: [UInt8])
    /// Refused; the message is what the client is told (SASL_AUTHENTICATION_FAILED).
    case failure(String)
}
