import KafkaProtocol
import NIOCore
import WharfAuth

extension BrokerConnection {
    /// SASL on a fresh connection (KIP-43, KIP-152): SaslHandshake v1 picks the mechanism, then
    /// SaslAuthenticate carries the tokens of `SaslClientExchange` until it is done. A broker that
    /// announces a session lifetime (KIP-368) gets a new connection before the session ends:
    /// `isActive` turns false at 85% of it, and the connection closes at its end.
    func authenticate(_ login: SaslLogin, timeoutMs: Int) async throws(KafkaClientError) {
        var handshake = SaslHandshakeRequest()
        handshake.mechanism = login.mechanism.rawValue
        let hello = try await send(handshake, version: 1, timeoutMs: timeoutMs)
        switch hello.errorCode {
        case KafkaErrorCode.none: break
        case KafkaErrorCode.unsupportedSaslMechanism:
            let offered = hello.mechanisms.isEmpty ? "none" : hello.mechanisms.map { String($0.prefix(64)) }.joined(separator: ", ")
            throw .authentication(address: address, reason: "mechanism \(login.mechanism.rawValue) is not enabled (the broker offers: \(offered))")
        case KafkaErrorCode.illegalSaslState:
            throw .authentication(address: address, reason: "this listener does not take SASL (security.protocol should be PLAINTEXT or SSL?)")
        default:
            throw .broker(api: "SaslHandshake", code: hello.errorCode, context: address)
        }
        let version = try versions.version(for: .saslAuthenticate)
        var exchange = SaslClientExchange(mechanism: login.mechanism, user: login.user, password: login.password)
        var token = exchange.start()
        // PLAIN takes one round, SCRAM two; a broker asking for more is not following the mechanism.
        for _ in 0..<4 {
            let answer = try await send(SaslAuthenticateRequest(authBytes: token), version: version, timeoutMs: timeoutMs)
            guard answer.errorCode == KafkaErrorCode.none else {
                let message = answer.errorMessage.map { String($0.prefix(300)) } ?? KafkaErrorCode.name(answer.errorCode)
                throw .authentication(address: address, reason: message.isEmpty ? KafkaErrorCode.name(answer.errorCode) : message)
            }
            switch exchange.step(answer.authBytes) {
            case .send(let next):
                token = next
            case .done:
                noteSessionLifetime(ms: answer.sessionLifetimeMs)
                return
            case .failure(let reason):
                throw .authentication(address: address, reason: reason)
            }
        }
        throw .authentication(address: address, reason: "the broker kept the \(login.mechanism.rawValue) exchange going past its last step")
    }

    private func noteSessionLifetime(ms: Int64) {
        guard ms > 0 else { return }
        let lifetime = Duration.milliseconds(ms)
        sessionRenewal.withLock { $0 = ContinuousClock.now + lifetime * 0.85 }
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: .milliseconds(ms)) { channel.close(promise: nil) }
    }
}
