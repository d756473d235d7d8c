import Foundation
import Testing
import WharfAuth
@testable import WharfKafkaClient

/// `--command-config` files as Kafka's tools and librdkafka read them: Java properties syntax,
/// `sasl.jaas.config` quoting as Kafka's `JaasConfig` tokenizes it, and what a file may and may
/// not say.
@Suite struct ClientPropertiesTests {
    @Test func javaPropertiesSyntax() throws {
        let text = """
            # a comment
            ! another comment
              security.protocol = SASL_SSL
            sasl.mechanism:SCRAM-SHA-512
            spaced\\ key value with spaces\\t
            continued=first \\
                      second \\\\
            literal.backslash=ends\\\\
            unicode=caf\\u00e9
            empty=
            client.id=one
            client.id=two\r
            """
        let p = try ClientProperties(parsing: text)
        #expect(p["security.protocol"] == "SASL_SSL")
        #expect(p["sasl.mechanism"] == "SCRAM-SHA-512")
        #expect(p["spaced key"] == "value with spaces\t")
        #expect(p["continued"] == "first second \\")
        #expect(p["literal.backslash"] == "ends\\")
        #expect(p["unicode"] == "café")
        #expect(p["empty"] == "")
        #expect(p["client.id"] == "two")
        #expect(p.entries.first { $0.key == "sasl.mechanism" }?.line == 4)
        #expect(throws: ClientConfigurationError.self) { try ClientProperties(parsing: "bad=\\u12") }
    }

    @Test func jaasQuotingAsKafkaTokenizesIt() throws {
        let j = try JaasLoginConfig(parsing: #"""
            org.apache.kafka.common.security.scram.ScramLoginModule required
              username="alice" /* a comment */ password="p\"w;d\\x=y" // trailing
              extra='single \'quoted\'' token=bare_word-1.2;
            """#)
        #expect(j.loginModule == "org.apache.kafka.common.security.scram.ScramLoginModule")
        #expect(j.controlFlag == "required")
        #expect(j.options == ["username": "alice", "password": #"p"w;d\x=y"#, "extra": "single 'quoted'", "token": "bare_word-1.2"])
        #expect(try JaasLoginConfig(parsing: #"M required p="a\101\tb";"#).options["p"] == "aA\tb")
        for bad in [#"M required username="a""#, #"M username="a";"#, #"M required username=;"#, #"M required username=a@b;"#,
                    #"M required username="a;"#, #"M required username="a"; N required x="y";"#, #"M required password=123;"#] {
            #expect(throws: ClientConfigurationError.self, "\(bad)") { try JaasLoginConfig(parsing: bad) }
        }
    }

    @Test func confluentStyleFileWithJavaOnlyKeysWarnsInsteadOfFailing() throws {
        let p = try ClientProperties(parsing: """
            bootstrap.servers=pkc-123.westeurope.azure.confluent.cloud:9092
            security.protocol=SASL_SSL
            sasl.mechanism=PLAIN
            sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="KEY" password="SE/CR+ET";
            client.dns.lookup=use_all_dns_ips
            session.timeout.ms=45000
            """)
        let loaded = try ClientSecurity.load(properties: p)
        #expect(loaded.security.securityProtocol == .saslSSL)
        #expect(loaded.security.sasl == SaslLogin(mechanism: .plain, user: "KEY", password: "SE/CR+ET"))
        #expect(loaded.security.tls?.settings.caPath == nil && loaded.security.tls?.settings.verifyHostname == true)
        #expect(loaded.ignoredKeys == ["bootstrap.servers", "client.dns.lookup", "session.timeout.ms"])
    }

    @Test func librdkafkaStyleKeys() throws {
        let p = try ClientProperties(parsing: """
            security.protocol=sasl_plaintext
            sasl.mechanisms=SCRAM-SHA-256
            sasl.username=$ConnectionString
            sasl.password=Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v=
            ssl.ca.location=/nowhere
            """)
        let loaded = try ClientSecurity.load(properties: p)
        #expect(loaded.security.sasl == SaslLogin(mechanism: .scramSha256, user: "$ConnectionString",
                                                  password: "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v="))
        #expect(loaded.security.tls == nil)
        #expect(loaded.ignoredKeys == ["ssl.ca.location"])  // no TLS on SASL_PLAINTEXT
    }

    @Test func invalidValuesAreOneLineNamingTheKey() throws {
        func error(_ text: String) -> String? {
            do {
                _ = try ClientSecurity.load(properties: try ClientProperties(parsing: text))
                return nil
            } catch { return (error as? ClientConfigurationError)?.message }
        }
        #expect(error("security.protocol=TLS") == "line 1: security.protocol: 'TLS' is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
        #expect(error("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=GSSAPI")
                == "line 2: sasl.mechanism: 'GSSAPI' is not supported (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
        #expect(error("security.protocol=SASL_PLAINTEXT")?.contains("sasl.mechanism is missing") == true)
        #expect(error("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN")?.contains("sasl.username and sasl.password") == true)
        #expect(error("""
            security.protocol=SASL_PLAINTEXT
            sasl.mechanism=SCRAM-SHA-512
            sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";
            """) == "line 3: sasl.jaas.config: org.apache.kafka.common.security.plain.PlainLoginModule does not log in with SCRAM-SHA-512 (it needs ScramLoginModule)")
        #expect(error("security.protocol=SSL\nssl.endpoint.identification.algorithm=dns")?.hasPrefix("line 2: ssl.endpoint.identification.algorithm") == true)
        #expect(error("security.protocol=SSL\nssl.ca.location=/no/such/ca.pem")
                == "cannot read ssl.ca.location /no/such/ca.pem: No such file or directory")
        #expect(error("security.protocol=SSL\nssl.truststore.location=/x.jks\nssl.truststore.type=JKS")?.contains("only a PEM truststore") == true)
        #expect(error("security.protocol=SSL\nssl.keystore.location=/x.jks")?.contains("keystores are not read") == true)
    }
}
