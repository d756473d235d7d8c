import PostgresNIO

/// libpq's `sslmode`, mapped onto postgres-nio's TLS settings (swift-nio-ssl underneath).
///
/// As in libpq: `disable` never uses TLS; `allow` and `prefer` use it when the server offers
/// it and fall back to plaintext otherwise (Wharf tries TLS first for both); `require` refuses
/// plaintext but, like libpq without a root certificate, does not check who answers;
/// `verify-ca` also checks the certificate chain against `sslrootcert` (or the system's roots);
/// `verify-full` also checks that the certificate names the host in the URL. Only the verify
/// modes stop a man in the middle, who could otherwise ask for the password in clear text.
public enum PostgresSSLMode: String, Sendable, CaseIterable {
    case disable, allow, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"

    public var requiresTLS: Bool { self == .require || self == .verifyCA || self == .verifyFull }

    /// The swift-nio-ssl client configuration, nil for `disable`.
    func tlsConfiguration(rootCertificates: String?) -> TLSConfiguration? {
        guard self != .disable else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch self {
        case .disable, .allow, .prefer, .require: tls.certificateVerification = .none
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        if let rootCertificates { tls.trustRoots = .file(rootCertificates) }
        return tls
    }
}

extension PostgresURL {
    /// TLS for the one-off probe connection.
    func connectionTLS() throws(OutboxError) -> PostgresConnection.Configuration.TLS {
        guard let tls = sslMode.tlsConfiguration(rootCertificates: sslRootCert) else { return .disable }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: tls) } catch {
            throw .badURL("cannot use the TLS settings (sslrootcert=\(sslRootCert ?? "none")): \(error)")
        }
        return sslMode.requiresTLS ? .require(context) : .prefer(context)
    }

    /// TLS for the client's pool.
    var clientTLS: PostgresClient.Configuration.TLS {
        guard let tls = sslMode.tlsConfiguration(rootCertificates: sslRootCert) else { return .disable }
        return sslMode.requiresTLS ? .require(tls) : .prefer(tls)
    }
}
