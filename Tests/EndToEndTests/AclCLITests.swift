import Foundation
import Testing
import WharfTestSupport

/// `wharf acl` through the real binary: on a data directory (table, JSON, one-line errors,
/// parallel runs that lose nothing) and over `--bootstrap` against `wharf serve --authorize`,
/// whose ACLs survive a restart and are enforced on a kcat client logged in with SASL.
@Suite(.serialized, .endToEnd) struct AclCLITests {
    @Test func addListAndRemoveOnADataDirectory() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        let added = try await WharfProcess.run(["acl", "add", "--principal", "User:alice", "--operation", "read", "--topic", "orders"] + d)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout == "added: User:alice has ALLOW permission for operation READ from host * on TOPIC:LITERAL:orders\n")
        let again = try await WharfProcess.run(["acl", "add", "--principal", "User:alice", "--operation", "READ", "--topic", "orders"] + d)
        #expect(again.stdout.hasPrefix("already present"), "\(again.stdout)")
        let denied = try await WharfProcess.run(["acl", "add", "--principal", "User:*", "--operation", "WRITE", "--group", "app-",
                                                 "--prefixed", "--deny", "--host", "10.0.0.1"] + d)
        #expect(denied.status == 0, "\(denied.stderr)")

        let table = try await WharfProcess.run(["acl", "list"] + d)
        #expect(table.lines.count == 3, "\(table.stdout)")
        #expect(table.lines.first?.split(separator: " ", omittingEmptySubsequences: true).first == "RESOURCE")
        #expect(table.stdout.contains("GROUP") && table.stdout.contains("PREFIXED") && table.stdout.contains("DENY"))
        let json = try await WharfProcess.run(["acl", "list", "--json"] + d)
        let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]]
        #expect(entries?.count == 2)
        #expect(entries?.first == ["resourceType": "TOPIC", "resourceName": "orders", "patternType": "LITERAL", "principal": "User:alice",
                                   "host": "*", "operation": "READ", "permission": "ALLOW"])
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.path + "/acls.json")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let removed = try await WharfProcess.run(["acl", "remove", "--principal", "User:alice", "--operation", "READ", "--topic", "orders"] + d)
        #expect(removed.status == 0, "\(removed.stderr)")
        let missing = try await WharfProcess.run(["acl", "remove", "--principal", "User:alice", "--operation", "READ", "--topic", "orders"] + d)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no such ACL") && missing.stderr.split(separator: "\n").count <= 2, "\(missing.stderr)")
        #expect(try await WharfProcess.run(["acl", "list", "--json"] + d).stdout.contains("app-"))

        for bad in [["--operation", "FLY", "--topic", "t"], ["--operation", "READ", "--topic", "t", "--group", "g"],
                    ["--operation", "READ"], ["--operation", "READ", "--cluster", "--prefixed"]] {
            let refused = try await WharfProcess.run(["acl", "add", "--principal", "User:alice"] + bad + d)
            #expect(refused.status != 0, "\(bad)")
            #expect(refused.stderr.contains("Error:"), "\(bad): \(refused.stderr)")
        }
        let withoutAuthorize = try await WharfProcess.run(["serve", "--super-users", "User:admin"] + d)
        #expect(withoutAuthorize.status != 0 && withoutAuthorize.stderr.contains("need --authorize"), "\(withoutAuthorize.stderr)")
        let badSuperUser = try await WharfProcess.run(["serve", "--authorize", "--super-users", "admin"] + d)
        #expect(badSuperUser.status != 0 && badSuperUser.stderr.contains("User:admin"), "\(badSuperUser.stderr)")
        let badPrincipal = try await WharfProcess.run(["acl", "add", "--principal", "alice", "--operation", "READ", "--topic", "t"] + d)
        #expect(badPrincipal.status != 0 && badPrincipal.stderr.contains("User:alice"), "\(badPrincipal.stderr)")
    }

    @Test func parallelRunsLoseNoAcl() async throws {
        let dir = TempDir()
        let path = dir.path
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for i in 0..<8 {
                group.addTask {
                    try await WharfProcess.run(["acl", "add", "--principal", "User:u\(i)", "--operation", "READ", "--topic", "t", "--data", path]).status
                }
            }
            for try await status in group { #expect(status == 0) }
        }
        let json = try await WharfProcess.run(["acl", "list", "--json", "--data", dir.path])
        let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]]
        #expect(entries?.count == 8, "\(json.stdout)")
    }

    /// `wharf serve --authorize` on PLAINTEXT (the CLI, anonymous, allowed to administer the
    /// cluster by an ACL added offline) and SASL_PLAINTEXT (alice, with kcat).
    @Test func overBootstrapEnforcedAndKeptAcrossARestart() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        #expect(try await WharfProcess.run(["user", "add", "alice", "--mechanism", "SCRAM-SHA-512", "--password-stdin"] + d, stdin: "alice-pw").status == 0)
        for operation in ["ALTER", "CREATE"] {
            #expect(try await WharfProcess.run(["acl", "add", "--principal", "User:ANONYMOUS", "--operation", operation, "--cluster"] + d).status == 0)
        }
        #expect(try await WharfProcess.run(["acl", "add", "--principal", "User:ANONYMOUS", "--operation", "DESCRIBE", "--topic", "*"] + d).status == 0)
        var server = try await ServeProcess.start(dataDirectory: dir.path)
        let b = ["--bootstrap", server.bootstrap("PLAINTEXT")]
        #expect(try await WharfProcess.run(["topic", "create", "t", "--partitions", "1"] + b).status == 0)
        let kcatAlice = { (server: ServeProcess) in
            ["-b", server.bootstrap("SASL_PLAINTEXT"), "-X", "security.protocol=sasl_plaintext", "-X", "sasl.mechanisms=SCRAM-SHA-512",
             "-X", "sasl.username=alice", "-X", "sasl.password=alice-pw"]
        }
        let before = try await WharfProcess.run(kcatAlice(server) + ["-P", "-t", "t"], stdin: "x\n", executable: "/usr/bin/kcat")
        #expect(before.stderr.contains("Topic authorization failed"), "\(before.stderr)")
        let added = try await WharfProcess.run(["acl", "add", "--principal", "User:alice", "--operation", "WRITE", "--topic", "t"] + b)
        #expect(added.status == 0, "\(added.stderr)")
        let listed = try await WharfProcess.run(["acl", "list", "--json"] + b)
        #expect(listed.stdout.contains(#""principal" : "User:alice""#) || listed.stdout.contains(#""principal":"User:alice""#), "\(listed.stdout) \(listed.stderr)")
        let produced = try await WharfProcess.run(kcatAlice(server) + ["-P", "-t", "t"], stdin: "one\n", executable: "/usr/bin/kcat")
        #expect(produced.status == 0, "\(produced.stderr)")
        #expect(server.stderr.contains("authorization denied") && server.stderr.contains("User:alice"), "\(server.stderr)")

        #expect(try await server.stop() == 0)
        server = try await ServeProcess.start(dataDirectory: dir.path)
        let kept = try await WharfProcess.run(["acl", "list"] + ["--bootstrap", server.bootstrap("PLAINTEXT")])
        #expect(kept.stdout.contains("User:alice") && kept.stdout.contains("User:ANONYMOUS"), "\(kept.stdout) \(kept.stderr)")
        let again = try await WharfProcess.run(kcatAlice(server) + ["-P", "-t", "t"], stdin: "two\n", executable: "/usr/bin/kcat")
        #expect(again.status == 0, "\(again.stderr)")
        let removed = try await WharfProcess.run(["acl", "remove", "--principal", "User:alice", "--operation", "WRITE", "--topic", "t",
                                                  "--bootstrap", server.bootstrap("PLAINTEXT")])
        #expect(removed.status == 0, "\(removed.stderr)")
        let after = try await WharfProcess.run(kcatAlice(server) + ["-P", "-t", "t"], stdin: "x\n", executable: "/usr/bin/kcat")
        #expect(after.stderr.contains("Topic authorization failed"), "\(after.stderr)")
        #expect(try await server.stop() == 0)

        // Without --authorize the ACL APIs are disabled, said in one line.
        server = try await ServeProcess.start(dataDirectory: dir.path, authorize: false)
        let disabled = try await WharfProcess.run(["acl", "list", "--bootstrap", server.bootstrap("PLAINTEXT")])
        #expect(disabled.status != 0 && disabled.stderr.contains("SECURITY_DISABLED"), "\(disabled.stderr)")
        #expect(try await server.stop() == 0)
    }
}

/// `wharf serve --authorize` on a PLAINTEXT and a SASL_PLAINTEXT listener (port 0), its ports
/// read from its start line.
struct ServeProcess {
    let process: SpawnedProcess
    let ports: [String: Int]

    static func start(dataDirectory: String, authorize: Bool = true) async throws -> ServeProcess {
        let base = dataDirectory + "-serve-\(UUID().uuidString.prefix(8))"
        let process = try SpawnedProcess(
            ["/usr/bin/env", "WHARF_LOG_LEVEL=info", WharfProcess.binary, "serve", "--data", dataDirectory,
             "--listen", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0"] + (authorize ? ["--authorize"] : []),
            out: base + ".out", err: base + ".err")
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let line = process.stdout
            if line.contains("\n") {
                var ports: [String: Int] = [:]
                let regex = try NSRegularExpression(pattern: #"([A-Z_]+)://127\.0\.0\.1:(\d+)"#)
                for m in regex.matches(in: line, range: NSRange(line.startIndex..., in: line)) {
                    if let s = Range(m.range(at: 1), in: line), let n = Range(m.range(at: 2), in: line) { ports[String(line[s])] = Int(line[n]) }
                }
                guard ports.count == 2 else { throw TmuxError("wharf serve did not report its listeners: \(line) \(process.stderr)") }
                return ServeProcess(process: process, ports: ports)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TmuxError("wharf serve did not start: \(process.stderr)")
    }

    func bootstrap(_ security: String) -> String { "127.0.0.1:\(ports[security] ?? 0)" }
    var stderr: String { process.stderr }

    /// SIGTERM, then the exit status (a clean stop is 0).
    func stop() async throws -> Int32 {
        kill(process.pid, SIGTERM)
        let status = try await process.exit()
        try? FileManager.default.removeItem(atPath: process.out)
        try? FileManager.default.removeItem(atPath: process.err)
        return status
    }
}
