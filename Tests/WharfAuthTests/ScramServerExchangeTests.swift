import Foundation
import Testing
@testable import WharfAuth

/// The server side of SCRAM against the RFCs' example exchanges, byte for byte.
@Suite struct ScramServerExchangeTests {
    private func exchange(hash: ScramHash, salt: String, serverNonce: String, password: String = "pencil") -> ScramServerExchange {
        let credential = ScramCredential(password: Array(password.utf8), hash: hash,
                                         salt: Array(Data(base64Encoded: salt)!), iterations: 4096)
        return ScramServerExchange(hash: hash, mechanismName: "SCRAM", lookup: { $0 == "user" ? credential : nil },
                                   nonce: { serverNonce })
    }

    private func text(_ step: SaslStep) -> String? {
        switch step {
        case .challenge(let bytes): String(decoding: bytes, as: UTF8.self)
        case .success(_, let bytes): String(decoding: bytes, as: UTF8.self)
        case .failure: nil
        }
    }

    @Test func rfc7677Sha256() {
        var server = exchange(hash: .sha256, salt: "W22ZaJ0SNY7soEsUEjb6gQ==", serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")
        let first = server.step(Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
        #expect(text(first) == "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        let final = server.step(Array(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=".utf8))
        #expect(final == .success(user: "user", final: Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)))
    }

    @Test func rfc5802Sha1() {
        var server = exchange(hash: .sha1, salt: "QSXCR+Q6sek8bf92", serverNonce: "3rfcNHYJY1ZVvWVs7j")
        let first = server.step(Array("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL".utf8))
        #expect(text(first) == "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
        let final = server.step(Array("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=".utf8))
        #expect(final == .success(user: "user", final: Array("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=".utf8)))
    }

    @Test func wrongPasswordIsRefused() {
        var server = exchange(hash: .sha256, salt: "W22ZaJ0SNY7soEsUEjb6gQ==", serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
                              password: "not pencil")
        _ = server.step(Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
        let final = server.step(Array(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=".utf8))
        #expect(final == .failure("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM"))
    }

    @Test func nonceAndChannelBindingAreChecked() {
        var server = exchange(hash: .sha256, salt: "W22ZaJ0SNY7soEsUEjb6gQ==", serverNonce: "abc")
        _ = server.step(Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
        #expect(server.step(Array("c=biws,r=rOprNGfwEbeRWgbNEkqOxyz,p=AAAA".utf8)) == .failure("Authentication failed: Invalid nonce"))
        var bound = exchange(hash: .sha256, salt: "W22ZaJ0SNY7soEsUEjb6gQ==", serverNonce: "abc")
        _ = bound.step(Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
        #expect(bound.step(Array("c=eSws,r=rOprNGfwEbeRWgbNEkqOabc,p=AAAA".utf8)) == .failure("Authentication failed: Invalid channel binding"))
    }

    @Test func unknownUserAndHostileFirstMessagesFailWithoutChallenge() {
        for message in ["n,,n=nobody,r=abc", "p=tls-unique,,n=user,r=abc", "n,,", "", "n,,n=user", "n,,n=us=4Aer,r=abc",
                        "n,a=other,n=user,r=abc", "n,,n=user,r=a,b", "n,,n=user,r=abc,tokenauth=true", "\u{FF}"] {
            var server = exchange(hash: .sha256, salt: "W22ZaJ0SNY7soEsUEjb6gQ==", serverNonce: "abc")
            guard case .failure = server.step(Array(message.utf8)) else {
                Issue.record("accepted \(message)")
                continue
            }
        }
    }

    @Test func saslNamesAreUnescaped() {
        #expect(ScramServerExchange.decodeSaslName("a=2Cb=3Dc") == "a,b=c")
        #expect(ScramServerExchange.decodeSaslName("a=") == nil)
        #expect(ScramServerExchange.decodeSaslName("a=2") == nil)
    }

    @Test func plainChecksTheSaltedCredential() {
        let credential = ScramCredential(password: Array("secret".utf8), hash: .sha512)
        let lookup: SaslServerExchange.Lookup = { user, mechanism in user == "alice" && mechanism == .plain ? credential : nil }
        var good = SaslServerExchange(mechanism: .plain, lookup: lookup)
        #expect(good.step(Array("\0alice\0secret".utf8)) == .success(user: "alice", final: []))
        var wrong = SaslServerExchange(mechanism: .plain, lookup: lookup)
        #expect(wrong.step(Array("\0alice\0nope".utf8)) == .failure(PlainServerExchange.failed))
        var unknown = SaslServerExchange(mechanism: .plain, lookup: lookup)
        #expect(unknown.step(Array("\0bob\0secret".utf8)) == .failure(PlainServerExchange.failed))
        var malformed = SaslServerExchange(mechanism: .plain, lookup: lookup)
        guard case .failure = malformed.step(Array("alice".utf8)) else { Issue.record("accepted a token without NULs"); return }
    }
}
