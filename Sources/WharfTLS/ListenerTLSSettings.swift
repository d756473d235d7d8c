#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOSSL
import WharfCore

/// The files behind a TLS listener (`--tls-cert`, `--tls-key`, `--tls-ca`) and whether clients
/// must show a certificate; one type for every protocol's listener (Kafka, AMQP, gRPC). Turned into one `NIOSSLContext` before any listener opens, so a bad
/// file stops the start with one line instead of failing every handshake later.
public struct ListenerTLSSettings: Sendable, Hashable {
    /// PEM: the server's certificate, optionally followed by its intermediates.
    public var certificatePath: String
    /// PEM: the private key of the first certificate.
    public var privateKeyPath: String
    /// PEM: the CAs a client certificate must chain to; needed for `requested` and `required`.
    public var caPath: String?
    public var clientAuth: TLSClientAuth

    public init(certificatePath: String, privateKeyPath: String, caPath: String? = nil, clientAuth: TLSClientAuth = .none) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
        self.caPath = caPath
        self.clientAuth = clientAuth
    }

    /// Loads and checks every file; TLS 1.2 is the oldest version offered.
    public func makeContext() throws(WharfError) -> NIOSSLContext {
        let chain = try Self.certificates(at: certificatePath, what: "TLS certificate")
        let key: NIOSSLPrivateKey
        do {
            try Self.checkReadable(privateKeyPath, what: "TLS private key")
            key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        } catch let error as WharfError {
            throw error
        } catch {
            throw .invalidArgument("TLS private key \(privateKeyPath) is not a PEM private key (or is encrypted)")
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        switch clientAuth {
        case .none:
            tls.certificateVerification = .none
        case .requested, .required:
            guard let caPath else {
                throw .invalidArgument("--tls-client-auth \(clientAuth.rawValue) needs --tls-ca (the CA that signs client certificates)")
            }
            tls.trustRoots = .certificates(try Self.certificates(at: caPath, what: "TLS CA"))
            // Client certificates name a user, not a host: no hostname to check.
            tls.certificateVerification = clientAuth == .required ? .noHostnameVerification : .optionalVerification
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw .invalidArgument("TLS certificate \(certificatePath) and key \(privateKeyPath) do not belong together (\(error))")
        }
    }

    private static func certificates(at path: String, what: String) throws(WharfError) -> [NIOSSLCertificate] {
        try checkReadable(path, what: what)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw .invalidArgument("\(what) \(path) is not a PEM certificate")
        }
        guard !chain.isEmpty else { throw .invalidArgument("\(what) \(path) holds no PEM certificate") }
        return chain
    }

    /// BoringSSL's own errors name neither the file nor the reason; say both.
    private static func checkReadable(_ path: String, what: String) throws(WharfError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .invalidArgument("cannot read \(what) \(path): \(String(cString: strerror(errno)))") }
        close(fd)
    }
}
