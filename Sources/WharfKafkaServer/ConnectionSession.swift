import WharfAuth
import WharfCore

/// What the broker remembers about one connection between its requests: the listener it came
/// through (and what TLS proved), the SASL exchange in progress and, once it succeeded, the
/// authenticated principal (`User:NAME`), kept for ACLs. Owned by the connection's worker, which
/// passes it to every `KafkaBroker.handle`.
public struct ConnectionSession: Sendable {
    /// The client's address, for the security log.
    public let peer: String
    /// The listener the client came through, and its TLS principal (nil: the first listener).
    public var connection: KafkaConnectionInfo?
    /// "User:NAME" after a successful SASL exchange.
    public internal(set) var saslPrincipal: String?
    /// The exchange a SaslHandshake started, until it succeeds or fails.
    var exchange: SaslServerExchange?
    /// After SaslHandshake v0, the next frames are raw SASL tokens, not Kafka requests.
    var awaitsRawTokens = false

    public init(peer: String, connection: KafkaConnectionInfo? = nil) {
        self.peer = peer
        self.connection = connection
    }

    /// Whether SASL succeeded on this connection (what a SASL listener waits for).
    public var isAuthenticated: Bool { saslPrincipal != nil }

    /// Kafka's principal: SASL's user, else the client certificate's subject, else User:ANONYMOUS.
    public var principal: String { saslPrincipal ?? connection?.principal ?? KafkaConnectionInfo.anonymous }

    /// Who the audit log says made a change through this connection.
    public var auditActor: AuditActor { .client(address: Self.address(peer), principal: principal) }

    /// `127.0.0.1:51234` from NIO's `[IPv4]127.0.0.1/127.0.0.1:51234` (the part after the
    /// resolved name), for the audit log; anything else as it is.
    static func address(_ peer: String) -> String {
        guard let slash = peer.lastIndex(of: "/") else { return peer }
        return String(peer[peer.index(after: slash)...])
    }
}
