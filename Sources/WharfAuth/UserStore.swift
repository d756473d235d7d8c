import Foundation
import WharfCore
import WharfStorage

/// The SASL users of a data directory: `<data>/sasl-users.json`, mode 0600, replaced atomically.
/// It holds per user and mechanism a SCRAM credential (salt, iterations, StoredKey, ServerKey),
/// never a password. The listener reads it at each authentication, so `wharf user add` takes
/// effect without a restart. Changes go through `update` (locked); `save` alone is for a
/// store nobody else writes.
public struct UserStore: Sendable {
    public static let fileName = "sasl-users.json"
    public let path: String
    /// `<data>/audit.log`: each user added, changed or deleted, with who did it.
    public let audit: AuditLog

    public init(dataDirectory: String) {
        path = dataDirectory + "/" + Self.fileName
        audit = AuditLog(dataDirectory: dataDirectory)
    }

    /// The users on disk (none when the file does not exist). A file that cannot be read or
    /// holds an invalid entry is an error naming the file: nothing half-parsed is used.
    public func load() throws(WharfError) -> UserDatabase {
        guard let bytes = try OwnerOnlyFile.read(path) else { return UserDatabase() }
        let file: UserFile
        do {
            file = try JSONDecoder().decode(UserFile.self, from: Data(bytes))
        } catch {
            throw .corrupt("\(path): not a Wharf user file (\(error))")
        }
        guard file.format == UserFile.currentFormat else { throw .corrupt("\(path): unknown format \(file.format)") }
        var database = UserDatabase()
        for (user, credentials) in file.users {
            for (name, record) in credentials {
                guard let mechanism = SaslMechanism(rawValue: name), let credential = record.credential(hash: mechanism.hash),
                      credential.isWellFormed
                else { throw .corrupt("\(path): invalid \(name) credential for user \(user)") }
                database.users[user, default: [:]][mechanism] = credential
            }
        }
        return database
    }

    /// Loads, lets `change` edit, and saves if anything changed, under the store's
    /// `FileUpdateLock`: a `wharf user add` and a broker answering AlterUserScramCredentials
    /// (or two `wharf user` runs) never lose each other's update. Each user changed is one
    /// audit entry of `actor`'s.
    public func update<R>(actor: AuditActor = .thisProcess, _ change: (inout UserDatabase) throws(WharfError) -> R) throws(WharfError) -> R {
        try FileUpdateLock.withLock(for: path) { () throws(WharfError) -> R in
            let before = try load()
            var database = before
            let result = try change(&database)
            if database != before { try save(database, actor: actor) }
            return result
        }
    }

    /// Replaces the users with `database`; each user it adds, changes or removes is one audit
    /// entry of `actor`'s (mechanisms and iterations only: never a credential).
    public func save(_ database: UserDatabase, actor: AuditActor = .thisProcess) throws(WharfError) {
        let old = (try? load()) ?? UserDatabase()
        let changed = Set(old.users.keys).union(database.users.keys).sorted().filter { old.users[$0] != database.users[$0] }
        do throws(WharfError) {
            try write(database)
        } catch {
            for name in changed { audit.record(actor, action: Self.action(database, name), target: "user:\(name)", result: "\(error)") }
            throw error
        }
        for name in changed {
            audit.record(actor, action: Self.action(database, name), target: "user:\(name)",
                         before: old.users[name].map(Self.auditFields), after: database.users[name].map(Self.auditFields))
        }
    }

    static func action(_ database: UserDatabase, _ name: String) -> String {
        database.users[name] == nil ? AuditAction.userDelete : AuditAction.userUpsert
    }

    /// Mechanism -> iterations: what an operator may see of a user's credentials.
    static func auditFields(_ credentials: [SaslMechanism: ScramCredential]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: credentials.map { ($0.key.rawValue, "\($0.value.iterations) iterations") })
    }

    private func write(_ database: UserDatabase) throws(WharfError) {
        let file = UserFile(users: database.users.mapValues { credentials in
            Dictionary(uniqueKeysWithValues: credentials.map { ($0.key.rawValue, UserFile.Record($0.value)) })
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: Data
        do { bytes = try encoder.encode(file) } catch { throw .io("cannot encode \(path): \(error)") }
        try OwnerOnlyFile.write(Array(bytes) + [UInt8(ascii: "\n")], to: path)
    }
}

/// The JSON shape of the file; base64 for bytes.
private struct UserFile: Codable {
    static let currentFormat = 1
    var format = currentFormat
    var users: [String: [String: Record]]

    init(users: [String: [String: Record]]) { self.users = users }

    struct Record: Codable {
        var salt: String
        var iterations: Int
        var storedKey: String
        var serverKey: String

        init(_ credential: ScramCredential) {
            salt = Data(credential.salt).base64EncodedString()
            iterations = credential.iterations
            storedKey = Data(credential.storedKey).base64EncodedString()
            serverKey = Data(credential.serverKey).base64EncodedString()
        }

        func credential(hash: ScramHash) -> ScramCredential? {
            guard let salt = Data(base64Encoded: salt), let storedKey = Data(base64Encoded: storedKey),
                  let serverKey = Data(base64Encoded: serverKey) else { return nil }
            return ScramCredential(hash: hash, salt: Array(salt), iterations: iterations, storedKey: Array(storedKey),
                                   serverKey: Array(serverKey))
        }
    }
}
