import Foundation
import Testing
@testable import WharfAuth

/// The client side of SASL: RFC 7677's and RFC 5802's example exchanges byte for byte, a full
/// exchange against `SaslServerExchange`, and a hostile server's answers refused.
@Suite struct SaslClientExchangeTests {
    private func scram(_ hash: ScramHash, nonce: String) -> ScramClientExchange {
        ScramClientExchange(hash: hash, user: "user", password: "pencil", clientNonce: nonce)
    }

    @Test func rfc7677Sha256() {
        var client = scram(.sha256, nonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(String(decoding: client.clientFirst, as: UTF8.self) == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = client.step(Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8))
        #expect(final == .send(Array(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=".utf8)))
        #expect(client.step(Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8)) == .done)
    }

    @Test func rfc5802Sha1() {
        var client = scram(.sha1, nonce: "fyko+d2lbbFgONRv9qkxdawL")
        let final = client.step(Array("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096".utf8))
        #expect(final == .send(Array("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=".utf8)))
        #expect(client.step(Array("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=".utf8)) == .done)
    }

    @Test(arguments: [SaslMechanism.plain, .scramSha256, .scramSha512])
    func logsInAgainstTheServerSideAndAWrongPasswordIsRefused(mechanism: SaslMechanism) {
        let stored = ScramCredential(password: Array("s3cr,=t".utf8), hash: mechanism.hash)
        for (password, accepted) in [("s3cr,=t", true), ("wrong", false)] {
            var server = SaslServerExchange(mechanism: mechanism, lookup: { user, _ in user == "a,b=c" ? stored : nil })
            var client = SaslClientExchange(mechanism: mechanism, user: "a,b=c", password: password)
            var answer = server.step(client.start())
            // SCRAM: one challenge, answered with the proof.
            if case .challenge(let serverFirst) = answer {
                guard case .send(let proof) = client.step(serverFirst) else { Issue.record("client stopped"); return }
                answer = server.step(proof)
            }
            switch answer {
            case .success(let user, let final):
                #expect(accepted && user == "a,b=c")
                #expect(client.step(final) == .done)
            case .failure:
                #expect(!accepted)
            case .challenge:
                Issue.record("a third round")
            }
        }
    }

    @Test func aServerThatDoesNotFollowTheRulesIsRefused() {
        let bad = [
            "r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",        // nonce does not extend ours
            "r=abc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",                // nonce not longer than ours
            "r=abcdef,s=!!!,i=4096",                                  // salt is not base64
            "r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=100000000",        // hours of hashing
            "r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1",
            "r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==",
            "\u{FF}",
        ]
        for message in bad {
            var client = scram(.sha256, nonce: "abc")
            guard case .failure = client.step(Array(message.utf8)) else { Issue.record("accepted \(message)"); continue }
        }
        // A server that does not know the password cannot forge the final signature.
        var client = scram(.sha256, nonce: "rOprNGfwEbeRWgbNEkqO")
        _ = client.step(Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8))
        guard case .failure = client.step(Array("v=AAAA".utf8)) else { Issue.record("forged signature accepted"); return }
        var refused = scram(.sha256, nonce: "rOprNGfwEbeRWgbNEkqO")
        _ = refused.step(Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8))
        #expect(refused.step(Array("e=invalid-proof".utf8)) == .failure("the server refused the proof: invalid-proof"))
    }

    @Test func plainSendsTheRfc4616Token() {
        var client = SaslClientExchange(mechanism: .plain, user: "$ConnectionString", password: "Endpoint=sb://x/;Key=y")
        #expect(client.start() == [0] + Array("$ConnectionString".utf8) + [0] + Array("Endpoint=sb://x/;Key=y".utf8))
        #expect(client.step([]) == .done)
    }
}
