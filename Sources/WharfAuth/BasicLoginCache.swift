import Crypto
import Synchronization
import WharfCore
import WharfStorage

/// Basic authentication (the EventStoreDB listener) sends the user's password with every call:
/// gRPC has no session, so a client appending in a loop would pay the PBKDF2 of
/// `UserDatabase.verify` (4,096 or more HMAC rounds) and a read of the user file per call.
/// This remembers the logins that verified, for `ttlMillis`, and the user file's content,
/// keyed by the file's `FileStamp`:
///
/// - a change of the file (`wharf user add|delete`, AlterUserScramCredentials, in this process
///   or another: the file is only ever replaced by a rename) drops every remembered login and
///   the content, so a changed password or a deleted user is refused on the next call;
/// - only successes are remembered: a wrong password is checked in full every time (so
///   guessing costs the guesser as much as before), and never evicts the right one;
/// - passwords are not kept: an entry holds an HMAC of the password under a key drawn when the
///   cache is made, compared in constant time.
public final class BasicLoginCache: Sendable {
    public static let defaultTTLMillis: Int64 = 30_000
    /// Remembered users at most; past it the expired ones go, then all (a flood of distinct
    /// valid users is not a case to optimise, only to bound).
    static let maxEntries = 1024

    public let users: UserStore
    let clock: any WallClock
    let ttlMillis: Int64
    private let key = SymmetricKey(size: .bits256)
    private let state = Mutex(State())

    private struct State {
        var stamp: FileStamp?
        var database: UserDatabase?
        var logins: [String: Login] = [:]
        /// Full password checks run (what the cache saves; tests read it).
        var checks = 0
    }

    private struct Login {
        let digest: [UInt8]
        let verifiedAtMillis: Int64
    }

    public init(users: UserStore, clock: any WallClock = SystemClock(), ttlMillis: Int64 = defaultTTLMillis) {
        self.users = users
        self.clock = clock
        self.ttlMillis = ttlMillis
    }

    /// Whether `password` is `user`'s now: from a remembered login when one is fresh and the
    /// file has not changed, else by `UserDatabase.verify` (then remembered if it passed).
    /// Throws when the user file cannot be read (the caller refuses the login).
    public func verify(user: String, password: [UInt8]) throws(WharfError) -> Bool {
        let stamp = FileStamp.of(users.path)
        let digest = Array(HMAC<SHA256>.authenticationCode(for: password, using: key))
        let now = clock.nowMillis()
        let cached = state.withLock { s -> (hit: Bool, database: UserDatabase?) in
            if s.stamp != stamp {
                s = State(stamp: stamp, checks: s.checks)
            }
            if let login = s.logins[user], now &- login.verifiedAtMillis < ttlMillis, now >= login.verifiedAtMillis,
               login.digest.constantTimeEquals(digest) {
                return (true, nil)
            }
            s.checks += 1
            return (false, s.database)
        }
        if cached.hit { return true }
        // Read before the check, outside the lock: a password check takes milliseconds.
        let database: UserDatabase
        if let known = cached.database { database = known } else { database = try users.load() }
        let verified = database.verify(user: user, password: password)
        state.withLock { s in
            // The file may have changed since the stamp was taken; then this is stale: keep nothing.
            guard s.stamp == stamp else { return }
            s.database = database
            guard verified else { return }
            if s.logins.count >= Self.maxEntries {
                s.logins = s.logins.filter { now &- $0.value.verifiedAtMillis < ttlMillis }
                if s.logins.count >= Self.maxEntries { s.logins = [:] }
            }
            s.logins[user] = Login(digest: digest, verifiedAtMillis: now)
        }
        return verified
    }

    /// Full password checks run so far (a remembered login runs none).
    public var passwordChecks: Int { state.withLock { $0.checks } }
}
