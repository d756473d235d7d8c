import GRPCNIOTransportHTTP2
import WharfAuth
import WharfCore
import WharfTLS

extension ESDBServer.Configuration {
    /// Everything that can be wrong with the listener's security, one line each, checked before
    /// any listener opens (`ListenerSet` calls this first; `start` again): h2c reachable from other
    /// machines without `--allow-plaintext`, certificate files that do not load.
    public func checkSecurity() throws(WharfError) {
        _ = try checkedTransportSecurity()
    }

    /// The transport's security: TLS (ALPN h2, TLS 1.2 or later) when certificates are given,
    /// else h2c; after the checks of `checkSecurity`.
    func checkedTransportSecurity() throws(WharfError) -> HTTP2ServerTransport.Posix.TransportSecurity {
        try PlaintextListenerRule.check(
            listener: "EventStoreDB gRPC \(host):\(port)", host: host, authenticates: security.tls != nil,
            allowPlaintext: security.allowPlaintext, exposes: "read and write every stream", remedy: "TLS (--tls-cert and --tls-key)")
        guard let tls = security.tls else { return .plaintext }
        // The transport loads the files itself when it binds, with an error that names neither
        // the file nor the reason; the shared loader says both, before anything listens.
        _ = try tls.makeContext()
        return .tls(certificateChain: [.file(path: tls.certificatePath, format: .pem)],
                    privateKey: .file(path: tls.privateKeyPath, format: .pem)) { config in
            guard let caPath = tls.caPath else { return }
            config.trustRoots = .certificates([.file(path: caPath, format: .pem)])
            switch tls.clientAuth {
            case .required: config.clientCertificateVerification = .noHostnameVerification
            // grpc-swift's transport cannot ask for a certificate without requiring one. gRPC
            // callers are identified by their Basic credentials, never by a certificate, so a
            // certificate that is only requested would not be used: it is not asked for.
            case .requested, .none: config.clientCertificateVerification = .noVerification
            }
        }
    }
}

extension ESDBServer {
    /// The interceptor that identifies every call (`ESDBAuthentication`).
    func authentication() -> ESDBAuthentication {
        let security = configuration.security
        let authorizer = security.authorize ? ESDBAuthorizer(streams: ESDBStreams(store: store), admins: security.admins) : nil
        return ESDBAuthentication(secure: security.tls != nil, logins: security.users.map { BasicLoginCache(users: $0) },
                                  authorizer: authorizer, logger: logger)
    }
}
