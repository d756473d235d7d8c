import Foundation
import Testing
import WharfAuth
import WharfCore

/// Basic logins remembered for a short time, forgotten when the user file changes.
@Suite struct BasicLoginCacheTests {
    let dir = NSTemporaryDirectory() + "wharf-logins-\(UUID().uuidString)"
    let clock = ManualClock()

    private func store(_ users: [(String, String)]) throws -> UserStore {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = UserStore(dataDirectory: dir)
        for (user, password) in users {
            _ = try store.setCredential(ScramCredential(password: Array(password.utf8), hash: .sha512), user: user, mechanism: .scramSha512)
        }
        return store
    }

    private func cleanUp() { try? FileManager.default.removeItem(atPath: dir) }

    /// The same right password again within the time to live is not checked again; after it, it is.
    @Test func aVerifiedLoginIsRememberedForItsTimeToLive() throws {
        defer { cleanUp() }
        let logins = BasicLoginCache(users: try store([("alice", "alice-secret")]), clock: clock, ttlMillis: 30_000)
        #expect(try logins.verify(user: "alice", password: Array("alice-secret".utf8)))
        #expect(try logins.verify(user: "alice", password: Array("alice-secret".utf8)))
        #expect(logins.passwordChecks == 1)
        clock.advance(byMillis: 29_999)
        #expect(try logins.verify(user: "alice", password: Array("alice-secret".utf8)))
        #expect(logins.passwordChecks == 1)
        clock.advance(byMillis: 1)
        #expect(try logins.verify(user: "alice", password: Array("alice-secret".utf8)))
        #expect(logins.passwordChecks == 2)
    }

    /// Failures are never remembered: a wrong password beside a remembered right one is
    /// checked (and refused) every time, and does not evict the right one.
    @Test func aWrongPasswordIsCheckedEveryTimeAndRefused() throws {
        defer { cleanUp() }
        let logins = BasicLoginCache(users: try store([("alice", "alice-secret")]), clock: clock)
        #expect(try logins.verify(user: "alice", password: Array("alice-secret".utf8)))
        for _ in 0..<2 { #expect(try !logins.verify(user: "alice", password: Array("alice-Secret".utf8))) }
        #expect(try !logins.verify(user: "mallory", password: Array("alice-secret".utf8)))
        #expect(logins.passwordChecks == 4)
        #expect(try logins.verify(user: "alice", password: Array("alice-secret".utf8)))
        #expect(logins.passwordChecks == 4)
    }

    /// A changed password or a deleted user takes effect on the next call, within the time to
    /// live, whoever changed the file (here another `UserStore` on the same directory, as
    /// `wharf user add` in another process would).
    @Test func aChangeOfTheUserFileForgetsEveryLogin() throws {
        defer { cleanUp() }
        let users = try store([("alice", "alice-secret"), ("bob", "bob-secret")])
        let logins = BasicLoginCache(users: users, clock: clock)
        #expect(try logins.verify(user: "alice", password: Array("alice-secret".utf8)))
        #expect(try logins.verify(user: "bob", password: Array("bob-secret".utf8)))
        let other = UserStore(dataDirectory: dir)
        _ = try other.setCredential(ScramCredential(password: Array("new-secret".utf8), hash: .sha512), user: "alice", mechanism: .scramSha512)
        #expect(try !logins.verify(user: "alice", password: Array("alice-secret".utf8)))
        #expect(try logins.verify(user: "alice", password: Array("new-secret".utf8)))
        #expect(try other.deleteUser("bob") == .deletedUser)
        #expect(try !logins.verify(user: "bob", password: Array("bob-secret".utf8)))
    }
}
