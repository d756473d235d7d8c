/// SASL PLAIN (RFC 4616): one client token `authzid NUL authcid NUL password`, checked against
/// the user's stored salted credential.
enum PlainServerExchange {
    static let failed = "Authentication failed: Invalid username or password"

    static func authenticate(_ token: [UInt8], lookup: (String) -> ScramCredential?) -> SaslStep {
        let parts = token.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let authzid = String(validating: parts[0], as: UTF8.self),
              let user = String(validating: parts[1], as: UTF8.self), !user.isEmpty, !parts[2].isEmpty
        else { return .failure("Authentication failed: Invalid SASL/PLAIN response: expected 3 tokens") }
        guard authzid.isEmpty || authzid == user else {
            return .failure("Authentication failed: Client requested an authorization id that is different from username")
        }
        guard let credential = lookup(user), credential.isWellFormed, credential.matches(password: Array(parts[2])) else {
            return .failure(failed)
        }
        return .success(user: user, final: [])
    }
}
