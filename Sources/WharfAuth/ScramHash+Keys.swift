/// The keys and the signed message of RFC 5802 section 3, used by both sides of an exchange.
extension ScramHash {
    /// ClientKey = HMAC(SaltedPassword, "Client Key"); StoredKey is H(ClientKey).
    public func clientKey(saltedPassword: [UInt8]) -> [UInt8] {
        hmac(key: saltedPassword, Array("Client Key".utf8))
    }

    /// ServerKey = HMAC(SaltedPassword, "Server Key").
    public func serverKey(saltedPassword: [UInt8]) -> [UInt8] {
        hmac(key: saltedPassword, Array("Server Key".utf8))
    }

    /// AuthMessage = client-first-message-bare "," server-first-message "," client-final-message-without-proof:
    /// what ClientSignature and ServerSignature sign.
    func authMessage(clientFirstBare: String, serverFirst: String, clientFinalWithoutProof: String) -> [UInt8] {
        Array((clientFirstBare + "," + serverFirst + "," + clientFinalWithoutProof).utf8)
    }
}
