import Foundation

/// The server side of SCRAM (RFC 5802, RFC 7677; Kafka's KIP-84): client-first, server-first,
/// client-final, server-final. No channel binding (gs2 flag "n" or "y"); extensions the client
/// adds to its first message are ignored, except Kafka's `tokenauth` (delegation tokens), which
/// is refused since Wharf has none.
public struct ScramServerExchange: Sendable {
    private enum State: Sendable {
        case awaitingClientFirst
        case awaitingClientFinal(Pending)
        case done
    }

    private struct Pending: Sendable {
        var user: String
        var gs2Header: String
        var clientFirstBare: String
        var serverFirst: String
        var nonce: String
        var credential: ScramCredential
    }

    let hash: ScramHash
    let mechanismName: String
    private let lookup: @Sendable (String) -> ScramCredential?
    private let nonce: @Sendable () -> String
    private var state = State.awaitingClientFirst
    /// The user the client named, once its first message parsed (for the security log).
    public private(set) var attemptedUser: String?

    public init(hash: ScramHash, mechanismName: String, lookup: @escaping @Sendable (String) -> ScramCredential?,
                nonce: @escaping @Sendable () -> String = ScramServerExchange.randomNonce) {
        self.hash = hash
        self.mechanismName = mechanismName
        self.lookup = lookup
        self.nonce = nonce
    }

    /// 32 random letters and digits (190 bits), like Kafka's: no '=', '+' or '/', which older
    /// librdkafka mangles when it echoes the nonce back.
    public static let randomNonce: @Sendable () -> String = {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    var invalidCredentials: SaslStep {
        .failure("Authentication failed during authentication due to invalid credentials with SASL mechanism \(mechanismName)")
    }

    public mutating func step(_ token: [UInt8]) -> SaslStep {
        switch state {
        case .awaitingClientFirst:
            return clientFirst(token)
        case .awaitingClientFinal(let pending):
            state = .done
            return clientFinal(token, pending)
        case .done:
            return .failure("Authentication failed: the SCRAM exchange is already complete")
        }
    }

    private mutating func clientFirst(_ token: [UInt8]) -> SaslStep {
        state = .done
        guard let message = String(validating: token, as: UTF8.self) else { return malformed("client-first message is not UTF-8") }
        // gs2-header = cbind-flag "," [ "a=" authzid ] ","
        let fields = message.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3 else { return malformed("invalid client-first message") }
        switch fields[0] {
        case "n", "y": break
        default: return .failure("Authentication failed: channel binding is not supported")
        }
        var authzid = ""
        if !fields[1].isEmpty {
            guard fields[1].hasPrefix("a="), let name = Self.decodeSaslName(fields[1].dropFirst(2)) else {
                return malformed("invalid authorization id")
            }
            authzid = name
        }
        let bare = String(fields[2])
        let attributes = bare.split(separator: ",", omittingEmptySubsequences: false)
        guard attributes.count >= 2, attributes[0].hasPrefix("n="), attributes[1].hasPrefix("r="),
              let user = Self.decodeSaslName(attributes[0].dropFirst(2)), !user.isEmpty
        else { return malformed("invalid client-first message") }
        attemptedUser = user
        let clientNonce = String(attributes[1].dropFirst(2))
        guard Self.isValidNonce(clientNonce) else { return malformed("invalid client nonce") }
        // Extensions are `key=value` (RFC 5802 attr-val; Kafka's SCRAM extensions).
        let extensions = attributes.dropFirst(2)
        guard extensions.allSatisfy({ ($0.firstIndex(of: "=") ?? $0.startIndex) > $0.startIndex }) else {
            return malformed("invalid client-first message extension")
        }
        if extensions.contains(where: { $0.hasPrefix("tokenauth=") && $0 != "tokenauth=false" }) {
            return .failure("Authentication failed: delegation tokens are not supported")
        }
        guard authzid.isEmpty || authzid == user else {
            return .failure("Authentication failed: Authorization id \(authzid) is not the same as user name \(user)")
        }
        guard let credential = lookup(user), credential.isWellFormed, credential.hash == hash else { return invalidCredentials }
        let nonce = clientNonce + self.nonce()
        let serverFirst = "r=\(nonce),s=\(Data(credential.salt).base64EncodedString()),i=\(credential.iterations)"
        state = .awaitingClientFinal(Pending(
            user: user, gs2Header: String(fields[0]) + "," + String(fields[1]) + ",", clientFirstBare: bare,
            serverFirst: serverFirst, nonce: nonce, credential: credential))
        return .challenge(Array(serverFirst.utf8))
    }

    private func clientFinal(_ token: [UInt8], _ pending: Pending) -> SaslStep {
        guard let message = String(validating: token, as: UTF8.self), let proofStart = message.range(of: ",p=", options: .backwards)
        else { return malformed("invalid client-final message") }
        let withoutProof = String(message[..<proofStart.lowerBound])
        let attributes = withoutProof.split(separator: ",", omittingEmptySubsequences: false)
        guard attributes.count >= 2, attributes[0].hasPrefix("c="), attributes[1].hasPrefix("r="),
              let proof = Data(base64Encoded: String(message[proofStart.upperBound...])).map({ Array($0) })
        else { return malformed("invalid client-final message") }
        guard attributes[0].dropFirst(2) == Data(pending.gs2Header.utf8).base64EncodedString() else {
            return .failure("Authentication failed: Invalid channel binding")
        }
        // Like Kafka, require only that the nonce *ends with* client nonce + server nonce: the
        // librdkafka of Debian's kcat sends the client nonce twice, and Kafka brokers accept it.
        guard attributes[1].dropFirst(2).hasSuffix(pending.nonce) else {
            return .failure("Authentication failed: Invalid nonce")
        }
        let authMessage = hash.authMessage(clientFirstBare: pending.clientFirstBare, serverFirst: pending.serverFirst,
                                           clientFinalWithoutProof: withoutProof)
        let credential = pending.credential
        let clientSignature = hash.hmac(key: credential.storedKey, authMessage)
        guard proof.count == clientSignature.count,
              hash.hash(proof.xor(clientSignature)).constantTimeEquals(credential.storedKey)
        else { return invalidCredentials }
        let serverSignature = hash.hmac(key: credential.serverKey, authMessage)
        return .success(user: pending.user, final: Array(("v=" + Data(serverSignature).base64EncodedString()).utf8))
    }

    private func malformed(_ what: String) -> SaslStep {
        .failure("Authentication failed: \(what)")
    }

    /// RFC 5802 saslname: ',' and '=' arrive as "=2C" and "=3D"; any other '=' is invalid.
    static func decodeSaslName(_ encoded: Substring) -> String? {
        var result = ""
        var rest = encoded[...]
        while let equals = rest.firstIndex(of: "=") {
            result += rest[..<equals]
            let escape = rest[equals...].prefix(3)
            switch escape {
            case "=2C": result += ","
            case "=3D": result += "="
            default: return nil
            }
            rest = rest[rest.index(equals, offsetBy: 3)...]
        }
        return result + String(rest)
    }

    /// The inverse of `decodeSaslName`, for the client's first message.
    static func encodeSaslName(_ name: String) -> String {
        name.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
    }

    /// printable ASCII except ',' (RFC 5802), and not absurdly long.
    static func isValidNonce(_ nonce: String) -> Bool {
        !nonce.isEmpty && nonce.utf8.count <= 512 && nonce.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E && $0 != UInt8(ascii: ",") }
    }
}
