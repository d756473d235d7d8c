/// One server-side SASL exchange of one of `SaslMechanism`'s mechanisms, sans I/O: feed it the
/// client's tokens, send back what it answers. `credential` looks a user's stored credential
/// up for this mechanism (nil: unknown user).
public struct SaslServerExchange: Sendable {
    public typealias Lookup = @Sendable (_ user: String, _ mechanism: SaslMechanism) -> ScramCredential?

    public let mechanism: SaslMechanism
    private var scram: ScramServerExchange?
    private let lookup: Lookup
    private var finished = false
    /// The user the client named, when its token got that far (for the security log).
    public private(set) var attemptedUser: String?

    public init(mechanism: SaslMechanism, lookup: @escaping Lookup, nonce: @escaping @Sendable () -> String = ScramServerExchange.randomNonce) {
        self.mechanism = mechanism
        self.lookup = lookup
        switch mechanism {
        case .plain: scram = nil
        case .scramSha256, .scramSha512:
            scram = ScramServerExchange(hash: mechanism.hash, mechanismName: mechanism.rawValue,
                                        lookup: { lookup($0, mechanism) }, nonce: nonce)
        }
    }

    public mutating func step(_ token: [UInt8]) -> SaslStep {
        guard !finished else { return .failure("Authentication failed: the SASL exchange is already complete") }
        let result: SaslStep
        if var exchange = scram {
            result = exchange.step(token)
            scram = exchange
            attemptedUser = exchange.attemptedUser
        } else {
            result = PlainServerExchange.authenticate(token) { user in
                attemptedUser = user
                return lookup(user, .plain)
            }
        }
        if case .challenge = result {} else { finished = true }
        return result
    }
}
