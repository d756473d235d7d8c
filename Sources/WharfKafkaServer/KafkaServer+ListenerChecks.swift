import NIOSSL
import WharfCore
import WharfTLS

extension KafkaServer.Configuration {
    /// Everything that can be wrong with the listeners before one opens: a TLS listener without
    /// a certificate, a certificate that does not load, an unauthenticated listener open to the
    /// network. Returns the TLS context the SSL and SASL_SSL listeners share (nil if none uses TLS).
    func checkedTLSContext() throws(WharfError) -> NIOSSLContext? {
        guard !listeners.isEmpty else { throw .invalidArgument("no Kafka listener given") }
        let clientAuth = tls?.clientAuth ?? .none
        for listener in listeners {
            try PlaintextListenerRule.check(
                listener: "\(listener)", host: listener.host, authenticates: listener.authenticates(clientAuth: clientAuth),
                allowPlaintext: allowPlaintext, exposes: "read and write every topic", remedy: "SASL_SSL (or SSL with --tls-client-auth required)")
        }
        guard let tlsListener = listeners.first(where: \.security.usesTLS) else { return nil }
        guard let tls else { throw .invalidArgument("\(tlsListener) needs --tls-cert and --tls-key") }
        return try tls.makeContext()
    }
}
