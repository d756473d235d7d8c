import NIOSSL

extension NIOSSLCertificate {
    /// The subject as Kafka's default SSL principal builder writes it: the X.500 name in
    /// RFC 2253 form, most specific part first (`CN=alice,OU=eng,O=Example,C=NL`).
    var subjectDistinguishedName: String {
        subjectName.reversed().compactMap { part -> String? in
            guard let key = Self.rfc2253Keys[part.type] else { return nil }
            return "\(key)=\(Self.escaped(part.value))"
        }.joined(separator: ",")
    }

    private static let rfc2253Keys: [SSLCertificateNameType: String] = [
        .commonName: "CN", .organizationalUnit: "OU", .organization: "O", .city: "L", .state: "ST",
        .country: "C", .emailAddress: "EMAILADDRESS", .userId: "UID",
    ]

    /// RFC 2253 section 2.4: these characters are backslash-escaped inside a value.
    private static func escaped(_ value: String) -> String {
        var out = ""
        for (i, c) in value.enumerated() {
            let leadingOrTrailingSpace = c == " " && (i == 0 || i == value.count - 1)
            if ",+\"\\<>;".contains(c) || (i == 0 && c == "#") || leadingOrTrailingSpace { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
