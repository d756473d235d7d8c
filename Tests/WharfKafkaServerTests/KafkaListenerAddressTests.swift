import Testing
import WharfKafkaServer

/// Kafka's `listeners` syntax as `--listen` takes it, and which listeners count as authenticated.
struct KafkaListenerAddressTests {
    @Test func parsesKafkaListenerSyntaxAndBareAddresses() throws {
        let list = try #require(KafkaListenerAddress.list("PLAINTEXT://127.0.0.1:9092, ssl://0.0.0.0:9093,SASL_SSL://[::1]:9094,:9095"))
        #expect(list == [
            KafkaListenerAddress(security: .plaintext, host: "127.0.0.1", port: 9092),
            KafkaListenerAddress(security: .ssl, host: "0.0.0.0", port: 9093),
            KafkaListenerAddress(security: .saslSSL, host: "::1", port: 9094),
            KafkaListenerAddress(security: .plaintext, host: "127.0.0.1", port: 9095),
        ])
        #expect(list[2].description == "SASL_SSL://[::1]:9094")
        #expect(KafkaListenerAddress("SASL_PLAINTEXT://h:1")?.security == .saslPlaintext)
        for bad in ["", "TLS://h:1", "h:70000", "h", "PLAINTEXT://h:1,", "SSL://a/b:1", "h:-1"] {
            #expect(KafkaListenerAddress.list(bad) == nil, "\(bad)")
        }
    }

    @Test func onlySASLOrRequiredClientCertificatesAuthenticate() {
        let ssl = KafkaListenerAddress(security: .ssl, host: "0.0.0.0", port: 1)
        #expect(!ssl.isLoopback && ssl.isWildcard)
        #expect(!ssl.authenticates(clientAuth: .requested))
        #expect(ssl.authenticates(clientAuth: .required))
        #expect(KafkaListenerAddress(security: .saslPlaintext, host: "10.0.0.1", port: 1).authenticates(clientAuth: .none))
        #expect(!KafkaListenerAddress(security: .plaintext, host: "10.0.0.1", port: 1).authenticates(clientAuth: .required))
        #expect(KafkaListenerAddress(host: "127.0.0.2", port: 1).isLoopback)
        #expect(KafkaListenerAddress(host: "localhost", port: 1).isLoopback)
    }
}
