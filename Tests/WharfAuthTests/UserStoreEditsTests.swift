import Foundation
import Testing
import WharfCore
import WharfAuth

/// The edits `wharf user add|delete|list` make, on the real file of a data directory.
@Suite struct UserStoreEditsTests {
    private func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "wharf-user-edits-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func credential(_ password: String, _ mechanism: SaslMechanism = .scramSha512) -> ScramCredential {
        ScramCredential(password: Array(password.utf8), hash: mechanism.hash, iterations: ScramCredential.defaultIterations)
    }

    @Test func setCredentialSaysWhetherItReplacedOne() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = UserStore(dataDirectory: dir)
        #expect(try store.setCredential(credential("one"), user: "alice", mechanism: .scramSha512) == false)
        #expect(try store.setCredential(credential("two"), user: "alice", mechanism: .scramSha512) == true)
        #expect(try store.setCredential(credential("three"), user: "alice", mechanism: .plain) == false)
        let reopened = try UserStore(dataDirectory: dir).load()
        #expect(reopened.users["alice"]?[.scramSha512]?.matches(password: Array("two".utf8)) == true)
        #expect(reopened.users["alice"]?.count == 2)
    }

    @Test func deleteTakesOneMechanismThenTheUserWithItsLast() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = UserStore(dataDirectory: dir)
        _ = try store.setCredential(credential("a"), user: "alice", mechanism: .scramSha512)
        _ = try store.setCredential(credential("a"), user: "alice", mechanism: .plain)
        _ = try store.setCredential(credential("b", .scramSha256), user: "bob", mechanism: .scramSha256)
        #expect(try store.deleteUser("carol") == .noUser)
        #expect(try store.deleteUser("bob", mechanism: .plain) == .noCredential)
        #expect(try store.deleteUser("alice", mechanism: .plain) == .deletedCredential)
        #expect(try store.load().users["alice"].map { Array($0.keys) } == [.scramSha512])
        #expect(try store.deleteUser("alice", mechanism: .scramSha512) == .deletedCredential)
        #expect(try store.load().users["alice"] == nil)
        #expect(try store.deleteUser("bob") == .deletedUser)
        #expect(try store.load().users.isEmpty)
    }

    @Test func listingIsSortedAndHoldsNoSecret() throws {
        var database = UserDatabase()
        database.users["zed"] = [.plain: credential("p")]
        database.users["amy"] = [.scramSha512: credential("p"), .scramSha256: credential("p", .scramSha256)]
        let listing = database.listing
        #expect(listing.map(\.name) == ["amy", "zed"])
        #expect(listing[0].mechanisms.map(\.mechanism) == ["SCRAM-SHA-256", "SCRAM-SHA-512"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(listing[1]), as: UTF8.self)
        #expect(json == #"{"mechanisms":[{"iterations":\#(ScramCredential.defaultIterations),"mechanism":"PLAIN"}],"name":"zed"}"#)
    }
}
