/// What a SASL client does after one server token.
public enum SaslClientStep: Sendable, Equatable {
    /// Send these bytes and pass the server's answer to `step` again.
    case send([UInt8])
    /// Authenticated; for SCRAM the server also proved it knows the password.
    case done
    /// The exchange cannot go on; the message says why (the server misbehaved or lied).
    case failure(String)
}

/// The client side of one of `SaslMechanism`'s exchanges, sans I/O: send `start()`'s token,
/// then feed every server token to `step` until it says `done` or `failure`.
public struct SaslClientExchange: Sendable {
    public let mechanism: SaslMechanism
    private let user: String
    private let password: String
    private var scram: ScramClientExchange?
    private var started = false

    public init(mechanism: SaslMechanism, user: String, password: String,
                nonce: @escaping @Sendable () -> String = ScramServerExchange.randomNonce) {
        self.mechanism = mechanism
        self.user = user
        self.password = password
        switch mechanism {
        case .plain: scram = nil
        case .scramSha256, .scramSha512:
            scram = ScramClientExchange(hash: mechanism.hash, user: user, password: password, clientNonce: nonce())
        }
    }

    /// The client's first token: PLAIN's `NUL user NUL password` (RFC 4616, no authorization id),
    /// SCRAM's client-first message.
    public mutating func start() -> [UInt8] {
        started = true
        if let scram { return scram.clientFirst }
        return [0] + Array(user.utf8) + [0] + Array(password.utf8)
    }

    public mutating func step(_ serverToken: [UInt8]) -> SaslClientStep {
        guard started else { return .failure("the SASL exchange has not started") }
        guard var exchange = scram else {
            // PLAIN: the server's answer to the one token ends the exchange.
            return .done
        }
        let result = exchange.step(serverToken)
        scram = exchange
        return result
    }
}
