import WharfAuth

/// What the broker remembers about one connection between its requests: the SASL exchange in
/// progress and, once it succeeded, the authenticated principal (`User:NAME`), kept for ACLs.
/// Owned by the connection's worker, which passes it to every `KafkaBroker.handle`.
public struct ConnectionSession: Sendable {
    /// The client's address, for the security log.
    public let peer: String
    /// "User:NAME" after a successful SASL exchange; nil before, and on listeners without SASL.
    public internal(set) var principal: String?
    /// The exchange a SaslHandshake started, until it succeeds or fails.
    var exchange: SaslServerExchange?
    /// After SaslHandshake v0, the next frames are raw SASL tokens, not Kafka requests.
    var awaitsRawTokens = false

    public init(peer: String) {
        self.peer = peer
    }

    public var isAuthenticated: Bool { principal != nil }
}
