import NIOSSL
import WharfCore
import WharfTLS

extension AMQPServer.Configuration {
    /// Everything that can be wrong before an AMQP listener opens, one line each (`ListenerSet`
    /// calls this first; `start` again): no listener at all; the plain listener beyond loopback
    /// without `--allow-plaintext` (its clients' SAS tokens, bearer tokens valid until they
    /// expire, cross the network in clear text; the rule the Kafka and gRPC listeners follow);
    /// a TLS listener without a certificate; certificate files that do not load.
    public func checkSecurity() throws(WharfError) {
        _ = try checkedTLSContext()
    }

    /// The TLS context of the TLS listener (nil without one), after the checks of `checkSecurity`.
    func checkedTLSContext() throws(WharfError) -> NIOSSLContext? {
        guard servesPlaintext || secure != nil else { throw .invalidArgument("no AMQP listener: give --amqp-listen or --amqps-listen (or --no-amqp)") }
        if servesPlaintext {
            try PlaintextListenerRule.check(
                listener: "AMQP \(AMQPListenAddress(host: host, port: port))", host: host, authenticates: false, allowPlaintext: allowPlaintext,
                exposes: "read the SAS tokens its clients send in clear text and use them",
                remedy: "TLS (--amqps-listen with --tls-cert and --tls-key)")
        }
        guard let secure else { return nil }
        guard let tls else { throw .invalidArgument("--amqps-listen \(secure) needs --tls-cert and --tls-key") }
        return try tls.makeContext()
    }
}
