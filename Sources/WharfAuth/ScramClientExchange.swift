import Foundation

/// The client side of SCRAM (RFC 5802, RFC 7677; Kafka's KIP-84), the mirror of
/// `ScramServerExchange`: client-first, then the proof for the server-first message, then the
/// check of the server's signature. No channel binding (gs2 header "n,,"). Everything the
/// server sends is validated before use: the nonce must extend ours, the iteration count must
/// be in Kafka's range (a hostile server cannot make us hash for minutes).
struct ScramClientExchange: Sendable {
    private enum State: Sendable {
        case awaitingServerFirst
        case awaitingServerFinal(serverSignature: [UInt8])
        case done
    }

    static let gs2Header = "n,,"
    let hash: ScramHash
    let user: String
    let password: String
    let clientNonce: String
    private var state = State.awaitingServerFirst

    init(hash: ScramHash, user: String, password: String, clientNonce: String) {
        self.hash = hash
        self.user = user
        self.password = password
        self.clientNonce = clientNonce
    }

    var clientFirstBare: String { "n=\(ScramServerExchange.encodeSaslName(user)),r=\(clientNonce)" }
    var clientFirst: [UInt8] { Array((Self.gs2Header + clientFirstBare).utf8) }

    mutating func step(_ token: [UInt8]) -> SaslClientStep {
        switch state {
        case .awaitingServerFirst:
            state = .done
            return serverFirst(token)
        case .awaitingServerFinal(let expected):
            state = .done
            return serverFinal(token, expected: expected)
        case .done:
            return .failure("the SCRAM exchange is already complete")
        }
    }

    private mutating func serverFirst(_ token: [UInt8]) -> SaslClientStep {
        guard let message = String(validating: token, as: UTF8.self) else { return .failure("the server-first message is not UTF-8") }
        let attributes = Self.attributes(message)
        guard let nonce = attributes["r"], nonce.count > clientNonce.count, nonce.hasPrefix(clientNonce),
              ScramServerExchange.isValidNonce(nonce)
        else { return .failure("the server's nonce does not extend the client's") }
        guard let saltText = attributes["s"], let salt = Data(base64Encoded: saltText), !salt.isEmpty, salt.count <= 1024 else {
            return .failure("the server-first message has no valid salt")
        }
        guard let iterations = attributes["i"].flatMap({ Int($0) }), ScramCredential.iterationRange.contains(iterations) else {
            return .failure("the server asks for \(attributes["i"] ?? "no") iterations; Kafka's range is "
                            + "\(ScramCredential.iterationRange.lowerBound)-\(ScramCredential.iterationRange.upperBound)")
        }
        let salted = hash.saltedPassword(Array(password.utf8), salt: Array(salt), iterations: iterations)
        let clientKey = hash.clientKey(saltedPassword: salted)
        let withoutProof = "c=\(Data(Self.gs2Header.utf8).base64EncodedString()),r=\(nonce)"
        let authMessage = hash.authMessage(clientFirstBare: clientFirstBare, serverFirst: message, clientFinalWithoutProof: withoutProof)
        let proof = clientKey.xor(hash.hmac(key: hash.hash(clientKey), authMessage))
        state = .awaitingServerFinal(serverSignature: hash.hmac(key: hash.serverKey(saltedPassword: salted), authMessage))
        return .send(Array((withoutProof + ",p=" + Data(proof).base64EncodedString()).utf8))
    }

    private func serverFinal(_ token: [UInt8], expected: [UInt8]) -> SaslClientStep {
        let attributes = Self.attributes(String(decoding: token, as: UTF8.self))
        if let error = attributes["e"] { return .failure("the server refused the proof: \(error)") }
        guard let signature = attributes["v"].flatMap({ Data(base64Encoded: $0) }), Array(signature).constantTimeEquals(expected) else {
            return .failure("the server's signature is wrong: it does not know the password (not the broker it claims to be?)")
        }
        return .done
    }

    /// "k=v,k=v" into a dictionary; values may contain '=' (base64), the first occurrence of a key wins.
    private static func attributes(_ message: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in message.split(separator: ",") {
            guard let equals = part.firstIndex(of: "="), equals > part.startIndex else { continue }
            let key = String(part[..<equals])
            if out[key] == nil { out[key] = String(part[part.index(after: equals)...]) }
        }
        return out
    }
}
