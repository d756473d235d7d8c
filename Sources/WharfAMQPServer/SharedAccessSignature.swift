import Crypto
import Foundation

/// A Service Bus SAS token, `SharedAccessSignature sr=<urlencoded audience>&sig=<b64 HMAC>&se=<unix s>&skn=<key name>`
/// (reference §2.2), and its verification:
/// `sig = base64(HMAC-SHA256(key_utf8, <sr as sent, urlencoded> + "\n" + se))`.
public struct SharedAccessSignature: Equatable, Sendable {
    /// The audience, decoded (`sb://host/q1`).
    public var resource: String
    var encodedResource: String
    public var signature: String
    public var expiry: Int64
    public var keyName: String

    public init?(_ token: String) {
        let prefix = "SharedAccessSignature "
        guard token.hasPrefix(prefix) else { return nil }
        var fields: [String: String] = [:]
        for part in token.dropFirst(prefix.count).split(separator: "&") {
            guard let eq = part.firstIndex(of: "=") else { return nil }
            fields[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        guard let sr = fields["sr"], let sig = fields["sig"], let se = fields["se"].flatMap({ Int64($0) }), let skn = fields["skn"],
              let resource = sr.replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
              let signature = sig.removingPercentEncoding
        else { return nil }
        self.resource = resource
        encodedResource = sr
        self.signature = signature
        expiry = se
        keyName = skn
    }

    /// A token for `resource` signed with `key`, as the SDKs make them (tools and tests).
    public static func token(resource: String, keyName: String, key: String, expiry: Int64) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.~"))
        let sr = resource.addingPercentEncoding(withAllowedCharacters: allowed) ?? resource
        let mac = HMAC<SHA256>.authenticationCode(for: Array((sr + "\n" + String(expiry)).utf8), using: SymmetricKey(data: Array(key.utf8)))
        let sig = Data(mac).base64EncodedString().addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "SharedAccessSignature sr=\(sr)&sig=\(sig)&se=\(expiry)&skn=\(keyName)"
    }

    /// Why the token is refused, or nil when it is signed by `keys[keyName]` and not expired at `nowSeconds`.
    public func problem(keys: [String: String], nowSeconds: Int64) -> String? {
        guard let key = keys[keyName] else { return "unknown shared access key name '\(keyName)'" }
        guard expiry > nowSeconds else { return "the token expired" }
        let mac = HMAC<SHA256>.authenticationCode(for: Array((encodedResource + "\n" + String(expiry)).utf8),
                                                  using: SymmetricKey(data: Array(key.utf8)))
        guard let given = Data(base64Encoded: signature), given.count == 32,
              constantTimeEqual(Array(given), Array(mac))
        else { return "invalid signature" }
        return nil
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
