import KafkaProtocol
import WharfAuth
import WharfCore

/// SASL on the Kafka listener (KIP-43, KIP-152, KIP-368): SaslHandshake picks a mechanism,
/// SaslAuthenticate carries its tokens (or, after SaslHandshake v0, raw size-prefixed frames do,
/// as old librdkafka sends them). On a SASL listener nothing but ApiVersions, SaslHandshake and
/// SaslAuthenticate is served before the exchange succeeds: anything else closes the
/// connection, as Kafka does. A failed exchange answers SASL_AUTHENTICATION_FAILED with the
/// reason, is logged with the user and the client's address, and closes the connection.
extension KafkaBroker {
    /// Sessions do not expire (KIP-368's `session_lifetime_ms` 0); clients may still
    /// re-authenticate on the same connection, as the same principal.
    static let sessionLifetimeMs: Int64 = 0

    static func isAllowedBeforeAuthentication(_ key: ApiKey) -> Bool {
        key == .apiVersions || key == .saslHandshake || key == .saslAuthenticate
    }

    /// The security protocol of the listener `session` came through.
    func security(of session: ConnectionSession) -> SecurityProtocol {
        session.connection?.security ?? configuration.listeners.first?.security ?? .plaintext
    }

    func enabledMechanisms(_ session: ConnectionSession) -> [SaslMechanism] {
        security(of: session).requiresSASL && configuration.users != nil ? configuration.saslMechanisms : []
    }

    func saslHandshake(_ request: SaslHandshakeRequest, version: Int16, session: inout ConnectionSession) -> (SaslHandshakeResponse, close: String?) {
        let enabled = enabledMechanisms(session)
        let names = enabled.map(\.rawValue)
        // On a listener without SASL, Kafka answers ILLEGAL_SASL_STATE and keeps serving.
        guard security(of: session).requiresSASL else {
            return (SaslHandshakeResponse(errorCode: KafkaError.illegalSaslState, mechanisms: names), nil)
        }
        guard session.exchange == nil else {
            return (SaslHandshakeResponse(errorCode: KafkaError.illegalSaslState, mechanisms: names),
                    "unexpected SaslHandshake")
        }
        guard let mechanism = SaslMechanism(rawValue: request.mechanism), enabled.contains(mechanism) else {
            return (SaslHandshakeResponse(errorCode: KafkaError.unsupportedSaslMechanism, mechanisms: names),
                    "unsupported SASL mechanism \(request.mechanism)")
        }
        session.exchange = SaslServerExchange(mechanism: mechanism, lookup: credentialLookup)
        session.awaitsRawTokens = version == 0
        return (SaslHandshakeResponse(errorCode: KafkaError.none, mechanisms: names), nil)
    }

    func saslAuthenticate(_ request: SaslAuthenticateRequest, session: inout ConnectionSession) -> (SaslAuthenticateResponse, close: String?) {
        guard session.exchange != nil else {
            let message = "SaslAuthenticate without a SaslHandshake before it"
            return (SaslAuthenticateResponse(errorCode: KafkaError.illegalSaslState, errorMessage: message),
                    security(of: session).requiresSASL ? message : nil)
        }
        switch step(request.authBytes, session: &session) {
        case .challenge(let bytes):
            return (SaslAuthenticateResponse(errorCode: KafkaError.none, errorMessage: nil, authBytes: bytes), nil)
        case .success(_, let final):
            return (SaslAuthenticateResponse(errorCode: KafkaError.none, errorMessage: nil, authBytes: final,
                                             sessionLifetimeMs: Self.sessionLifetimeMs), nil)
        case .failure(let message):
            return (SaslAuthenticateResponse(errorCode: KafkaError.saslAuthenticationFailed, errorMessage: message), message)
        }
    }

    /// After SaslHandshake v0: `payload` is a raw SASL token, answered by a raw size-prefixed
    /// token; a failure closes the connection (the v0 exchange has no error field).
    func rawSaslToken(_ payload: [UInt8], session: inout ConnectionSession) -> Outcome {
        switch step(payload, session: &session) {
        case .challenge(let bytes), .success(_, let bytes):
            var frame = [UInt8](repeating: 0, count: 4)
            frame.setBigEndian(Int32(truncatingIfNeeded: bytes.count), at: 0)
            return .respond(frame + bytes)
        case .failure(let message):
            return .close(message)
        }
    }

    /// Runs one token through the session's exchange and records what it concluded.
    private func step(_ token: [UInt8], session: inout ConnectionSession) -> SaslStep {
        guard var exchange = session.exchange else { return .failure("no SASL exchange in progress") }
        var result = exchange.step(token)
        if case .success(let user, _) = result, let previous = session.saslPrincipal, previous != SaslMechanism.principal(of: user) {
            result = .failure("Authentication failed: re-authentication as \(SaslMechanism.principal(of: user)) on a connection of \(previous)")
        }
        switch result {
        case .challenge:
            session.exchange = exchange
        case .success(let user, _):
            session.exchange = nil
            session.awaitsRawTokens = false
            session.saslPrincipal = SaslMechanism.principal(of: user)
        case .failure(let message):
            session.exchange = nil
            session.awaitsRawTokens = false
            securityLog.authenticationFailed(
                principal: exchange.attemptedUser.map(SaslMechanism.principal(of:)) ?? "?", peer: session.peer,
                mechanism: exchange.mechanism.rawValue, reason: message)
        }
        return result
    }

    /// Reads the user store at each exchange, so users added while Wharf runs can log in.
    private var credentialLookup: SaslServerExchange.Lookup {
        let store = configuration.users
        let logger = self.logger
        return { user, mechanism in
            guard let store else { return nil }
            do {
                return try store.load().users[user]?[mechanism]
            } catch {
                logger.error("cannot read the SASL user store; refusing the authentication", metadata: ["error": "\(error)"])
                return nil
            }
        }
    }
}
