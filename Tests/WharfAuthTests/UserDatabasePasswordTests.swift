import Testing
import WharfAuth

/// Basic authentication's password check (the EventStoreDB listener) against the credentials
/// `wharf user add` stores: the same password as SASL, whichever mechanism the user was added with.
@Suite struct UserDatabasePasswordTests {
    private func database(_ entries: [(String, SaslMechanism, String)]) -> UserDatabase {
        var db = UserDatabase()
        for (user, mechanism, password) in entries {
            db.users[user, default: [:]][mechanism] = ScramCredential(password: Array(password.utf8), hash: mechanism.hash)
        }
        return db
    }

    @Test func theRightPasswordOfAnyMechanismPassesAndNothingElseDoes() {
        let db = database([("alice", .scramSha512, "secret"), ("bob", .scramSha256, "hunter2"), ("carol", .plain, "pw")])
        #expect(db.verify(user: "alice", password: Array("secret".utf8)))
        #expect(db.verify(user: "bob", password: Array("hunter2".utf8)))
        #expect(db.verify(user: "carol", password: Array("pw".utf8)))
        #expect(!db.verify(user: "alice", password: Array("Secret".utf8)))
        #expect(!db.verify(user: "alice", password: Array("hunter2".utf8)))
        #expect(!db.verify(user: "alice", password: []))
        #expect(!db.verify(user: "mallory", password: Array("secret".utf8)))
    }

    /// A credential damaged on disk is never used (the next one is, or none).
    @Test func aMalformedCredentialIsSkipped() {
        var db = database([("alice", .scramSha256, "secret")])
        db.users["alice"]?[.scramSha512] = ScramCredential(hash: .sha512, salt: [], iterations: 1, storedKey: [], serverKey: [])
        #expect(db.verify(user: "alice", password: Array("secret".utf8)))
        db.users["alice"]?[.scramSha256] = nil
        #expect(!db.verify(user: "alice", password: Array("secret".utf8)))
    }
}
