/// Checking a password itself (HTTP Basic authentication: the EventStoreDB listener), against
/// the SCRAM credentials `wharf user add` stores for the Kafka listener: one user store, one
/// password per user, whichever protocol the client speaks.
extension UserDatabase {
    /// Whether `password` is `user`'s. Every credential of a user is derived from its one
    /// password, so one is enough: the SHA-512 one PLAIN uses if the user has it. The password
    /// is salted and iterated with the stored salt and count and compared in constant time
    /// (`ScramCredential.matches`), as SASL PLAIN does.
    public func verify(user: String, password: [UInt8]) -> Bool {
        guard !password.isEmpty, let credentials = users[user] else { return false }
        let preference: [SaslMechanism] = [.plain, .scramSha512, .scramSha256]
        guard let credential = preference.lazy.compactMap({ credentials[$0] }).first(where: \.isWellFormed) else { return false }
        return credential.matches(password: password)
    }
}
