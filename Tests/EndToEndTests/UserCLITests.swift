import Foundation
import Testing

/// `wharf user add|list|delete` through the real binary: the store holds no password, is 0600,
/// and mistakes get one-line errors.
@Suite(.endToEnd) struct UserCLITests {
    @Test func addListDeleteKeepsNoPasswordInAnOwnerOnlyFile() throws {
        let dir = TempDir()
        let d = ["--data", dir.path + "/fresh"]
        let secret = "s3cret-Pa55word"
        let added = try WharfProcess.run(["user", "add", "alice", "--mechanism", "SCRAM-SHA-512", "--password-stdin"] + d, stdin: secret + "\n")
        #expect(added.status == 0 && added.stdout.contains("added alice (SCRAM-SHA-512)"), "\(added)")
        #expect(try WharfProcess.run(["user", "add", "alice", "--mechanism", "PLAIN", "--password-stdin"] + d, stdin: secret).status == 0)
        #expect(try WharfProcess.run(["user", "add", "bob", "--mechanism", "scram-sha-256", "--password-stdin"] + d, stdin: "x").status == 0)

        let file = dir.path + "/fresh/sasl-users.json"
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let content = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!content.contains(secret) && !content.contains(Data(secret.utf8).base64EncodedString()))
        #expect(content.contains("storedKey") && content.contains("\"iterations\" : 4096"), "\(content)")

        let table = try WharfProcess.run(["user", "list"] + d)
        #expect(table.stdout.contains("alice") && table.stdout.contains("PLAIN (4096 iterations), SCRAM-SHA-512 (4096 iterations)"), "\(table)")
        let json = try WharfProcess.run(["user", "list", "--json"] + d)
        #expect(json.stdout.contains(#""name":"bob""#) && json.stdout.contains(#""mechanism":"SCRAM-SHA-256""#), "\(json)")
        #expect(!json.stdout.contains(secret))

        let deleted = try WharfProcess.run(["user", "delete", "alice", "--mechanism", "PLAIN"] + d)
        #expect(deleted.status == 0 && deleted.stdout.contains("deleted the PLAIN credential of alice"), "\(deleted)")
        #expect(try WharfProcess.run(["user", "delete", "bob"] + d).status == 0)
        let after = try WharfProcess.run(["user", "list", "--json"] + d)
        #expect(after.stdout.contains("alice") && !after.stdout.contains("bob") && !after.stdout.contains("PLAIN"), "\(after)")
    }

    @Test func mistakesGetOneLineErrors() throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        let noStdin = try WharfProcess.run(["user", "add", "alice", "--mechanism", "PLAIN"] + d)
        #expect(noStdin.status != 0 && noStdin.stderr.contains("--password-stdin"), "\(noStdin)")
        let badMechanism = try WharfProcess.run(["user", "add", "alice", "--mechanism", "MD5", "--password-stdin"] + d, stdin: "x")
        #expect(badMechanism.status != 0 && badMechanism.stderr.contains("unknown mechanism 'MD5'"), "\(badMechanism)")
        let empty = try WharfProcess.run(["user", "add", "alice", "--mechanism", "PLAIN", "--password-stdin"] + d, stdin: "\n")
        #expect(empty.status != 0 && empty.stderr.contains("password on standard input is empty"), "\(empty)")
        let unknown = try WharfProcess.run(["user", "delete", "nobody"] + d)
        #expect(unknown.status != 0 && unknown.stderr.contains("no user nobody"), "\(unknown)")
        try "{".write(toFile: dir.path + "/sasl-users.json", atomically: true, encoding: .utf8)
        let damaged = try WharfProcess.run(["user", "list"] + d)
        #expect(damaged.status != 0 && damaged.stderr.contains("not a Wharf user file"), "\(damaged)")
    }
}
