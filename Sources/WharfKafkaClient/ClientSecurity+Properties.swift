import Foundation
import KafkaProtocol
import WharfAuth

extension ClientSecurity {
    /// The keys a Kafka or librdkafka client properties file may use for security that Wharf reads.
    static let understoodKeys: Set<String> = [
        "security.protocol", "sasl.mechanism", "sasl.mechanisms", "sasl.jaas.config", "sasl.username", "sasl.password",
        "ssl.ca.location", "ssl.truststore.location", "ssl.truststore.type", "ssl.truststore.password",
        "ssl.certificate.location", "ssl.key.location", "ssl.key.password", "ssl.endpoint.identification.algorithm",
        "ssl.keystore.location", "ssl.keystore.type",
    ]

    /// What a properties file configures, and the keys it holds that Wharf does not use (to warn
    /// about once: files are shared with Java tools, whose other settings are no error).
    public struct Loaded: Sendable {
        public var security: ClientSecurity
        public var ignoredKeys: [String]
    }

    /// Reads a `--command-config` file. Every error names the file and the key or line.
    public static func load(propertiesFile path: String) throws(ClientConfigurationError) -> Loaded {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
            throw ClientConfigurationError("cannot read \(path): \(reason)")
        }
        do {
            return try load(properties: ClientProperties(parsing: text))
        } catch {
            throw ClientConfigurationError("\(path): \(error.message)")
        }
    }

    public static func load(properties: ClientProperties) throws(ClientConfigurationError) -> Loaded {
        func value(_ key: String) -> String? { properties[key].map { $0.trimmingCharacters(in: .whitespaces) } }
        func invalid(_ key: String, _ why: String) -> ClientConfigurationError {
            let line = properties.entries.last { $0.key == key }?.line
            return ClientConfigurationError("\(line.map { "line \($0): " } ?? "")\(key): \(why)")
        }
        let protocolName = value("security.protocol") ?? "PLAINTEXT"
        guard let securityProtocol = SecurityProtocol(rawValue: protocolName.uppercased()) else {
            throw invalid("security.protocol", "'\(protocolName)' is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
        }
        var security = ClientSecurity(securityProtocol: securityProtocol)
        if securityProtocol.requiresSASL { security.sasl = try saslLogin(properties, value: value, invalid: invalid) }
        if securityProtocol.usesTLS { security.tls = try ClientTLS(tlsSettings(properties, value: value, invalid: invalid)) }
        // SASL settings on a protocol without SASL (and TLS ones without TLS) are unused too, as in Kafka.
        let unused = properties.entries.map(\.key).filter { key in
            !understoodKeys.contains(key) || key.hasPrefix("sasl.") && !securityProtocol.requiresSASL
                || key.hasPrefix("ssl.") && !securityProtocol.usesTLS
        }
        return Loaded(security: security, ignoredKeys: unused)
    }

    private static func saslLogin(_ properties: ClientProperties, value: (String) -> String?,
                                  invalid: (String, String) -> ClientConfigurationError) throws(ClientConfigurationError) -> SaslLogin {
        let mechanismKey = properties["sasl.mechanism"] != nil ? "sasl.mechanism" : "sasl.mechanisms"
        guard let mechanismName = value(mechanismKey) else {
            throw ClientConfigurationError("sasl.mechanism is missing (Kafka's default, GSSAPI, is not supported: "
                                           + "give PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
        }
        guard let mechanism = SaslMechanism(rawValue: mechanismName.uppercased()) else {
            throw invalid(mechanismKey, "'\(mechanismName)' is not supported (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
        }
        if let jaasText = properties["sasl.jaas.config"] {
            let jaas: JaasLoginConfig
            do { jaas = try JaasLoginConfig(parsing: jaasText) } catch { throw invalid("sasl.jaas.config", error.message) }
            let expected = mechanism == .plain ? "PlainLoginModule" : "ScramLoginModule"
            guard jaas.loginModule.split(separator: ".").last.map(String.init) == expected else {
                throw invalid("sasl.jaas.config", "\(jaas.loginModule) does not log in with \(mechanism.rawValue) (it needs \(expected))")
            }
            guard let user = jaas.options["username"], !user.isEmpty, let password = jaas.options["password"] else {
                throw invalid("sasl.jaas.config", "needs username=\"...\" and password=\"...\"")
            }
            return SaslLogin(mechanism: mechanism, user: user, password: password)
        }
        guard let user = properties["sasl.username"], !user.isEmpty, let password = properties["sasl.password"] else {
            throw ClientConfigurationError("\(mechanism.rawValue) needs sasl.jaas.config (Kafka) or sasl.username and sasl.password (librdkafka)")
        }
        return SaslLogin(mechanism: mechanism, user: user, password: password)
    }

    private static func tlsSettings(_ properties: ClientProperties, value: (String) -> String?,
                                    invalid: (String, String) -> ClientConfigurationError) throws(ClientConfigurationError) -> ClientTLS.Settings {
        var settings = ClientTLS.Settings()
        if let ca = value("ssl.ca.location"), !ca.isEmpty, ca != "probe" {  // librdkafka's "probe": the system store
            settings.caPath = ca
        } else if let store = value("ssl.truststore.location"), !store.isEmpty {
            let type = value("ssl.truststore.type")?.uppercased()
            guard type == "PEM" || type == nil && Self.looksLikePEM(store) else {
                throw invalid("ssl.truststore.location", "only a PEM truststore can be read (ssl.truststore.type=PEM); "
                              + "export the CA with keytool -exportcert -rfc and give it as ssl.ca.location")
            }
            settings.caPath = store
        }
        if value("ssl.keystore.location") != nil {
            throw invalid("ssl.keystore.location", "keystores are not read; give the client certificate and key as PEM files "
                          + "in ssl.certificate.location and ssl.key.location")
        }
        settings.certificatePath = value("ssl.certificate.location").flatMap { $0.isEmpty ? nil : $0 }
        settings.keyPath = value("ssl.key.location").flatMap { $0.isEmpty ? nil : $0 }
        settings.keyPassword = properties["ssl.key.password"]
        switch value("ssl.endpoint.identification.algorithm")?.lowercased() {
        case nil, "https": settings.verifyHostname = true
        case "", "none": settings.verifyHostname = false
        case let other?: throw invalid("ssl.endpoint.identification.algorithm", "'\(other)' is not https or empty (none)")
        }
        return settings
    }

    /// A truststore without a type is JKS for Java; a PEM file passed that way is still usable.
    private static func looksLikePEM(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return true }  // ClientTLS names the unreadable file
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        return String(decoding: head, as: UTF8.self).contains("-----BEGIN ")
    }
}
