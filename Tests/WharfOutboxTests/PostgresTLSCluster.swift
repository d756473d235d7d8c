import Foundation
import WharfSpawn
import WharfTestSupport

/// A throwaway PostgreSQL cluster that, unlike the shared test server (trust auth, no TLS),
/// asks for a password (SCRAM) and offers TLS with a self-signed certificate for `localhost`
/// made here with openssl. Runs as user `postgres` when the tests run as root; stopped in `stop()`.
final class PostgresTLSCluster {
    static let user = "wharf"
    static let password = "s3cret:with\\colon"
    let dir = NSTemporaryDirectory() + "wharf-pgtls-\(UUID().uuidString.prefix(8))"
    let port: Int
    var certificate: String { dir + "/server.crt" }

    init() throws {
        let bins = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            .map { "/usr/lib/postgresql/\($0)/bin" }
            .filter { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
        guard let bin = bins.last else { throw Failure("no PostgreSQL binaries for the TLS cluster") }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        port = try Self.freePort()
        try Data((Self.password + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/pw"))
        try Self.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                                          "-addext", "subjectAltName=DNS:localhost", "-keyout", dir + "/server.key", "-out", certificate],
                     asPostgres: false)
        chmod(dir + "/server.key", 0o600)
        if getuid() == 0 {
            for path in [dir, dir + "/pw", dir + "/server.key", certificate] {
                try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: path)
            }
        }
        try Self.run(bin + "/initdb", ["-D", dir + "/data", "-U", Self.user, "--auth=scram-sha-256", "--pwfile=" + dir + "/pw", "-E", "UTF8"])
        try Self.run(bin + "/pg_ctl", ["-D", dir + "/data", "-l", dir + "/server.log", "-w", "-o",
                                       "-c listen_addresses=127.0.0.1 -p \(port) -k \(dir) -c fsync=off -c ssl=on "
                                       + "-c ssl_cert_file=\(certificate) -c ssl_key_file=\(dir)/server.key", "start"])
        self.bin = bin
    }

    private var bin = ""

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    func stop() {
        try? Self.run(bin + "/pg_ctl", ["-D", dir + "/data", "-m", "immediate", "stop"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A URL of this cluster; `password` nil leaves it out.
    func url(host: String = "127.0.0.1", password: String? = nil, query: String = "") -> String {
        let secret = password.map { ":" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        return "postgres://\(Self.user)\(secret)@\(host):\(port)/postgres" + (query.isEmpty ? "" : "?" + query)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw Failure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs `tool` (as `postgres` when root and `asPostgres`); `ChildProcess` closes inherited
    /// descriptors in the child: the server outlives the call and must not hold the runner's pipes.
    static func run(_ tool: String, _ args: [String], asPostgres: Bool = true) throws {
        let p = try ChildProcess((asPostgres && getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [tool] + args,
                                 stdout: .null, stderr: .null)
        let termination = p.waitUntilExit()
        guard termination == .exited(0) else {
            throw Failure("\(tool) failed (\(termination))")
        }
    }
}
