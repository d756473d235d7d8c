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
        if !allowPlaintext, let open = listeners.first(where: { !$0.isLoopback && !$0.authenticates(clientAuth: clientAuth) }) {
            throw .invalidArgument(
                "refusing to listen on \(open): anyone who can reach it could read and write every topic without "
                    + "authenticating; use SASL_SSL (or SSL with --tls-client-auth required), a loopback address, or --allow-plaintext")
        }
        guard let tlsListener = listeners.first(where: \.security.usesTLS) else { return nil }
        guard let tls else { throw .invalidArgument("\(tlsListener) needs --tls-cert and --tls-key") }
        return try tls.makeContext()
    }
}
