import Foundation

/// A throwaway PKI made with Debian's `openssl` in a temp dir (never committed): a CA, a server
/// certificate for 127.0.0.1/localhost signed by it, a client certificate signed by it, and a
/// second, unrelated CA that a client can wrongly trust.
struct TestCertificates {
    let dir: TempDir
    var caCert: String { dir.path + "/ca.pem" }
    var serverCert: String { dir.path + "/server.pem" }
    var serverKey: String { dir.path + "/server-key.pem" }
    var clientCert: String { dir.path + "/client.pem" }
    var clientKey: String { dir.path + "/client-key.pem" }
    var strangerCACert: String { dir.path + "/stranger-ca.pem" }
    /// A client certificate signed by the stranger CA: well-formed, but not one the server trusts.
    var strangerClientCert: String { dir.path + "/mallory.pem" }
    var strangerClientKey: String { dir.path + "/mallory-key.pem" }
    /// The client certificate's subject as Kafka's principal names it.
    static let clientPrincipal = "User:CN=alice,O=Wharf Tests"

    init() throws {
        dir = TempDir()
        let d = dir.path
        try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Wharf Test CA",
                          "-keyout", d + "/ca-key.pem", "-out", d + "/ca.pem"])
        try Self.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Stranger CA",
                          "-keyout", d + "/stranger-ca-key.pem", "-out", d + "/stranger-ca.pem"])
        try Self.issue(name: "server", subject: "/CN=localhost", extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost", in: d)
        try Self.issue(name: "client", subject: "/O=Wharf Tests/CN=alice", extensions: "extendedKeyUsage=clientAuth", in: d)
        try Self.issue(name: "mallory", subject: "/CN=mallory", extensions: "extendedKeyUsage=clientAuth", in: d, ca: "stranger-ca")
    }

    static func issue(name: String, subject: String, extensions: String, in d: String, ca: String = "ca") throws {
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", "\(d)/\(name)-key.pem", "-out", "\(d)/\(name).csr"])
        try extensions.write(toFile: "\(d)/\(name).ext", atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/\(ca).pem", "-CAkey", "\(d)/\(ca)-key.pem", "-CAcreateserial",
                     "-days", "2", "-extfile", "\(d)/\(name).ext", "-out", "\(d)/\(name).pem"])
    }

    private static func openssl(_ args: [String]) throws {
        let r = try WharfProcess.run(args, executable: "/usr/bin/openssl")
        guard r.status == 0 else { throw TmuxError("openssl \(args.first ?? ""): \(r.stderr)") }
    }
}
