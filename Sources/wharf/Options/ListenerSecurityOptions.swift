import ArgumentParser
import WharfKafkaServer

/// TLS of the SSL and SASL_SSL listeners, and the rule that keeps unauthenticated listeners on
/// loopback; shared by `wharf serve` and the dashboard's listener.
struct ListenerSecurityOptions: ParsableArguments {
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("PEM certificate of the TLS listeners (intermediates may follow).", valueName: "file"))
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?
    @Option(name: .customLong("tls-ca"), help: ArgumentHelp("PEM CA certificates that client certificates must chain to (mutual TLS).", valueName: "file"))
    var tlsCA: String?
    @Option(name: .customLong("tls-client-auth"),
            help: ArgumentHelp("Ask TLS clients for a certificate: none, requested, or required (mutual TLS; Kafka's ssl.client.auth).",
                               valueName: "none|requested|required"),
            transform: { text in
                guard let mode = TLSClientAuth(rawValue: text.lowercased()) else {
                    throw ValidationError("--tls-client-auth must be none, requested or required")
                }
                return mode
            })
    var tlsClientAuth: TLSClientAuth = .none
    @Flag(name: .customLong("allow-plaintext"),
          help: "Allow listeners that authenticate nobody (PLAINTEXT, or SSL without required client certificates) on non-loopback addresses.")
    var allowPlaintext = false

    func validate() throws {
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsCert == nil, tlsCA != nil || tlsClientAuth != .none {
            throw ValidationError("--tls-ca and --tls-client-auth need --tls-cert and --tls-key")
        }
    }

    func apply(to config: inout KafkaServer.Configuration) {
        if let tlsCert, let tlsKey {
            config.tls = KafkaTLSSettings(certificatePath: tlsCert, privateKeyPath: tlsKey, caPath: tlsCA, clientAuth: tlsClientAuth)
        }
        config.allowPlaintext = allowPlaintext
    }
}
