import WharfCore

/// The edits `wharf user add|delete` make, each one locked `update` of the store.
extension UserStore {
    /// Sets `user`'s credential for `mechanism`; returns whether one was replaced.
    public func setCredential(_ credential: ScramCredential, user: String, mechanism: SaslMechanism,
                              actor: AuditActor = .thisProcess) throws(WharfError) -> Bool {
        try update(actor: actor) { (database: inout UserDatabase) throws(WharfError) -> Bool in
            let replaced = database.users[user]?[mechanism] != nil
            database.users[user, default: [:]][mechanism] = credential
            return replaced
        }
    }

    /// What `deleteUser` found and did.
    public enum Deletion: Sendable, Equatable {
        case noUser, noCredential, deletedCredential, deletedUser
    }

    /// Deletes `user`, or only its `mechanism` credential (the user goes with its last one).
    public func deleteUser(_ user: String, mechanism: SaslMechanism? = nil,
                           actor: AuditActor = .thisProcess) throws(WharfError) -> Deletion {
        try update(actor: actor) { (database: inout UserDatabase) throws(WharfError) -> Deletion in
            guard let credentials = database.users[user] else { return .noUser }
            guard let mechanism else {
                database.users[user] = nil
                return .deletedUser
            }
            guard credentials[mechanism] != nil else { return .noCredential }
            database.users[user]?[mechanism] = nil
            if database.users[user]?.isEmpty == true { database.users[user] = nil }
            return .deletedCredential
        }
    }
}

/// One user as `wharf user list --json` prints it: its mechanisms and iterations, never a
/// credential (a contract scripts rely on).
public struct UserListing: Encodable, Sendable, Equatable {
    public var name: String
    public var mechanisms: [Mechanism]

    public struct Mechanism: Encodable, Sendable, Equatable {
        public var mechanism: String
        public var iterations: Int
    }
}

extension UserDatabase {
    /// Every user by name, mechanisms by name.
    public var listing: [UserListing] {
        users.sorted { $0.key < $1.key }.map { name, credentials in
            UserListing(name: name, mechanisms: credentials.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                UserListing.Mechanism(mechanism: $0.key.rawValue, iterations: $0.value.iterations)
            })
        }
    }
}
