/// What the server keeps of a SCRAM password (RFC 5802 section 3): the salt, the iteration
/// count, StoredKey = H(ClientKey) and ServerKey. Enough to check a client's proof and to prove
/// the server knows the password, never enough to log in as the user.
public struct ScramCredential: Sendable, Hashable {
    public static let defaultIterations = 4096
    /// Kafka's bounds (`ScramMechanism.minIterations` / `maxIterations`).
    public static let iterationRange = 4096...16384

    public var hash: ScramHash
    public var salt: [UInt8]
    public var iterations: Int
    public var storedKey: [UInt8]
    public var serverKey: [UInt8]

    public init(hash: ScramHash, salt: [UInt8], iterations: Int, storedKey: [UInt8], serverKey: [UInt8]) {
        self.hash = hash
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// The credential for `password` (UTF-8 bytes, as Kafka uses them: no SASLprep).
    public init(password: [UInt8], hash: ScramHash, salt: [UInt8], iterations: Int = defaultIterations) {
        self.init(saltedPassword: hash.saltedPassword(password, salt: salt, iterations: iterations), hash: hash,
                  salt: salt, iterations: iterations)
    }

    /// The credential for SaltedPassword = Hi(password, salt, iterations), as an admin client
    /// sends it (AlterUserScramCredentials, KIP-554).
    public init(saltedPassword salted: [UInt8], hash: ScramHash, salt: [UInt8], iterations: Int) {
        self.init(hash: hash, salt: salt, iterations: iterations, storedKey: hash.hash(hash.clientKey(saltedPassword: salted)),
                  serverKey: hash.serverKey(saltedPassword: salted))
    }

    /// A credential with a fresh random salt.
    public init(password: [UInt8], hash: ScramHash, iterations: Int = defaultIterations) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        self.init(password: password, hash: hash, salt: salt, iterations: iterations)
    }

    /// Whether `password` is the one this credential was made from (PLAIN's check).
    public func matches(password: [UInt8]) -> Bool {
        Self(password: password, hash: hash, salt: salt, iterations: iterations).storedKey.constantTimeEquals(storedKey)
    }

    /// Whether the fields are usable: lengths of this hash, iterations in Kafka's range. What
    /// comes from disk or from the wire is checked with this before use.
    public var isWellFormed: Bool {
        !salt.isEmpty && salt.count <= 1024 && Self.iterationRange.contains(iterations)
            && storedKey.count == hash.digestByteCount && serverKey.count == hash.digestByteCount
    }
}
