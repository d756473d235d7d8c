import Crypto

/// The hash functions of SCRAM (RFC 5802, RFC 7677): H, HMAC and Hi (PBKDF2 with HMAC).
/// SHA-1 is here only for RFC 5802's test vector; Kafka offers SHA-256 and SHA-512.
public enum ScramHash: Sendable, Hashable {
    case sha1, sha256, sha512

    public var digestByteCount: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }

    public func hash(_ data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha1: Array(Insecure.SHA1.hash(data: data))
        case .sha256: Array(SHA256.hash(data: data))
        case .sha512: Array(SHA512.hash(data: data))
        }
    }

    public func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha1: Self.hmac(Insecure.SHA1.self, key: SymmetricKey(data: key), data)
        case .sha256: Self.hmac(SHA256.self, key: SymmetricKey(data: key), data)
        case .sha512: Self.hmac(SHA512.self, key: SymmetricKey(data: key), data)
        }
    }

    /// Hi(password, salt, i) of RFC 5802 section 2.2: PBKDF2 with this HMAC, one block.
    public func saltedPassword(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        switch self {
        case .sha1: Self.hi(Insecure.SHA1.self, password, salt, iterations)
        case .sha256: Self.hi(SHA256.self, password, salt, iterations)
        case .sha512: Self.hi(SHA512.self, password, salt, iterations)
        }
    }

    private static func hmac<H: HashFunction>(_: H.Type, key: SymmetricKey, _ data: [UInt8]) -> [UInt8] {
        Array(HMAC<H>.authenticationCode(for: data, using: key))
    }

    private static func hi<H: HashFunction>(_: H.Type, _ password: [UInt8], _ salt: [UInt8], _ iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var u = hmac(H.self, key: key, salt + [0, 0, 0, 1])
        var result = u
        for _ in 1..<max(iterations, 1) {
            u = hmac(H.self, key: key, u)
            for i in result.indices { result[i] ^= u[i] }
        }
        return result
    }
}
