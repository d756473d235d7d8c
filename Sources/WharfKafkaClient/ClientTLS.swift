#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOSSL

/// The client's side of TLS (Kafka's `ssl.*` client settings): the CAs a broker's certificate
/// must chain to (a PEM file, or the system's store), whether the certificate must name the host
/// we dialled, and the certificate and key shown to a broker that wants mutual TLS. The files
/// are read once, when the settings are made, so a bad file is one line before any connection.
public struct ClientTLS: Sendable {
    public struct Settings: Sendable, Equatable {
        /// PEM file of trusted CAs (`ssl.ca.location`); nil: the system trust store.
        public var caPath: String?
        /// `ssl.endpoint.identification.algorithm`: https (the default) checks the host name or
        /// IP address against the certificate; none skips that check (the chain is still verified).
        public var verifyHostname = true
        /// PEM client certificate and its key, for brokers that require mutual TLS.
        public var certificatePath: String?
        public var keyPath: String?
        /// Decrypts an encrypted PEM key (`ssl.key.password`).
        public var keyPassword: String?
        public init() {}
    }

    public let settings: Settings
    let context: NIOSSLContext

    /// Loads every file the settings name; TLS 1.2 is the oldest version offered.
    public init(_ settings: Settings) throws(ClientConfigurationError) {
        self.settings = settings
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = settings.verifyHostname ? .fullVerification : .noHostnameVerification
        if let caPath = settings.caPath {
            tls.trustRoots = .certificates(try Self.certificates(at: caPath, what: "ssl.ca.location"))
        }
        switch (settings.certificatePath, settings.keyPath) {
        case (nil, nil): break
        case (let cert?, let keyPath?):
            tls.certificateChain = try Self.certificates(at: cert, what: "ssl.certificate.location").map { .certificate($0) }
            tls.privateKey = .privateKey(try Self.privateKey(at: keyPath, password: settings.keyPassword))
        case (nil, _?): throw ClientConfigurationError("ssl.key.location needs ssl.certificate.location (the client certificate)")
        case (_?, nil): throw ClientConfigurationError("ssl.certificate.location needs ssl.key.location (the certificate's private key)")
        }
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw ClientConfigurationError("ssl.certificate.location \(settings.certificatePath ?? "") and ssl.key.location "
                                           + "\(settings.keyPath ?? "") do not belong together (\(error))")
        }
    }

    /// Where trust comes from, as error messages name it.
    var trustSource: String { settings.caPath.map { "the CAs in \($0)" } ?? "the system trust store" }

    /// The handler for one connection to `host`: SNI names the host unless it is an IP address
    /// (TLS forbids that); hostname verification then checks the address we connected to.
    func handler(host: String) throws -> NIOSSLClientHandler {
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host)
    }

    private static func certificates(at path: String, what: String) throws(ClientConfigurationError) -> [NIOSSLCertificate] {
        try checkReadable(path, what: what)
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(path) } catch {
            throw ClientConfigurationError("\(what) \(path) is not a PEM certificate file")
        }
        guard !chain.isEmpty else { throw ClientConfigurationError("\(what) \(path) holds no PEM certificate") }
        return chain
    }

    private static func privateKey(at path: String, password: String?) throws(ClientConfigurationError) -> NIOSSLPrivateKey {
        try checkReadable(path, what: "ssl.key.location")
        do {
            if let password {
                return try NIOSSLPrivateKey(file: path, format: .pem) { (setter: NIOSSLPassphraseSetter<[UInt8]>) in setter(Array(password.utf8)) }
            }
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            let hint = password == nil ? " (if it is encrypted, give ssl.key.password)" : " (or ssl.key.password is wrong)"
            throw ClientConfigurationError("ssl.key.location \(path) is not a PEM private key" + hint)
        }
    }

    /// BoringSSL's own errors name neither the file nor the reason; say both.
    private static func checkReadable(_ path: String, what: String) throws(ClientConfigurationError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ClientConfigurationError("cannot read \(what) \(path): \(String(cString: strerror(errno)))") }
        close(fd)
    }
}
