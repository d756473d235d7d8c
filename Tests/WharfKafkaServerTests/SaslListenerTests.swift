import Foundation
import KafkaProtocol
import Logging
import Synchronization
import Testing
import WharfAuth
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// SASL on the real listener with raw frames: SaslHandshake and SaslAuthenticate as Kafka's
/// schemas define them, the v0 raw-token path, re-authentication, and what is refused.
@Suite struct SaslListenerTests {
    static let password = "correct horse battery staple"

    /// A listener on a fresh engine with `security.protocol` `security` and the user "alice"
    /// (every mechanism, `password`), stopped afterwards.
    static func withSaslListener(_ security: SecurityProtocol = .saslPlaintext,
                                 _ body: (KafkaBrokerTests.Fixture, Int) async throws -> Void) async throws {
        let usersDirectory = NSTemporaryDirectory() + "wharf-sasl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: usersDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: usersDirectory) }
        let store = UserStore(dataDirectory: usersDirectory)
        var users = UserDatabase()
        for mechanism in SaslMechanism.allCases {
            users.users["alice", default: [:]][mechanism] = ScramCredential(password: Array(password.utf8), hash: mechanism.hash)
        }
        try store.save(users)
        try await ListenerLimitsTests.withListener({
            $0.listeners = [KafkaListenerAddress(security: security, host: "127.0.0.1", port: 0)]
            $0.users = store
        }) { f, _, port in
            try await body(f, port)
        }
    }

    static func handshake(_ mechanism: String) -> KafkaRequestBody { .saslHandshake(SaslHandshakeRequest(mechanism: mechanism)) }
    static func authenticate(_ bytes: [UInt8]) -> KafkaRequestBody { .saslAuthenticate(SaslAuthenticateRequest(authBytes: bytes)) }
    static let metadata = KafkaRequestBody.metadata(MetadataRequest(topics: nil))

    /// The client side of SCRAM, as a test computes it: client-first, then the proof for the
    /// server-first message; returns the server signature the server must send.
    struct ScramClient {
        let hash: ScramHash
        let user: String
        let password: String
        let clientNonce = "fyko+d2lbbFgONRv9qkxdawL"
        var clientFirstBare: String { "n=\(user),r=\(clientNonce)" }
        var clientFirst: [UInt8] { Array(("n,," + clientFirstBare).utf8) }

        func clientFinal(serverFirst: [UInt8]) -> (message: [UInt8], expectedServerFinal: [UInt8])? {
            let text = String(decoding: serverFirst, as: UTF8.self)
            let fields = Dictionary(text.split(separator: ",").map { (String($0.prefix(1)), String($0.dropFirst(2))) }) { a, _ in a }
            guard let nonce = fields["r"], nonce.hasPrefix(clientNonce), let salt = fields["s"].flatMap({ Data(base64Encoded: $0) }),
                  let iterations = fields["i"].flatMap(Int.init) else { return nil }
            let salted = hash.saltedPassword(Array(password.utf8), salt: Array(salt), iterations: iterations)
            let clientKey = hash.hmac(key: salted, Array("Client Key".utf8))
            let withoutProof = "c=biws,r=\(nonce)"
            let authMessage = Array((clientFirstBare + "," + text + "," + withoutProof).utf8)
            let signature = hash.hmac(key: hash.hash(clientKey), authMessage)
            let proof = zip(clientKey, signature).map { $0 ^ $1 }
            let serverKey = hash.hmac(key: salted, Array("Server Key".utf8))
            let serverSignature = hash.hmac(key: serverKey, authMessage)
            return (Array((withoutProof + ",p=" + Data(proof).base64EncodedString()).utf8),
                    Array(("v=" + Data(serverSignature).base64EncodedString()).utf8))
        }
    }

    /// Runs a whole SCRAM exchange over SaslHandshake v1 / SaslAuthenticate v2.
    static func scramLogin(_ client: RawKafkaSocket, mechanism: SaslMechanism, password: String = password,
                           user: String = "alice") async throws -> SaslAuthenticateResponse {
        guard case .saslHandshake(let hello) = try await client.roundTrip(handshake(mechanism.rawValue), version: 1) else {
            throw WharfError.malformed("not a SaslHandshake answer")
        }
        #expect(hello.errorCode == 0)
        let scram = ScramClient(hash: mechanism.hash, user: user, password: password)
        guard case .saslAuthenticate(let first) = try await client.roundTrip(authenticate(scram.clientFirst), version: 2, correlationId: 2)
        else { throw WharfError.malformed("not a SaslAuthenticate answer") }
        guard first.errorCode == 0, let final = scram.clientFinal(serverFirst: first.authBytes) else { return first }
        guard case .saslAuthenticate(let last) = try await client.roundTrip(authenticate(final.message), version: 2, correlationId: 3)
        else { throw WharfError.malformed("not a SaslAuthenticate answer") }
        if last.errorCode == 0 { #expect(last.authBytes == final.expectedServerFinal) }
        return last
    }

    @Test(arguments: [SaslMechanism.scramSha256, .scramSha512])
    func scramLogsInAndThenServesEverything(mechanism: SaslMechanism) async throws {
        try await Self.withSaslListener { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let done = try await Self.scramLogin(client, mechanism: mechanism)
            #expect(done.errorCode == 0)
            #expect(done.sessionLifetimeMs == 0)
            guard case .metadata(let metadata) = try await client.roundTrip(Self.metadata, version: 8, correlationId: 4) else {
                Issue.record("not a Metadata answer")
                return
            }
            #expect(metadata.brokers.count == 1)
        }
    }

    @Test func aWrongPasswordGetsSaslAuthenticationFailedAndTheConnectionCloses() async throws {
        try await Self.withSaslListener { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let refused = try await Self.scramLogin(client, mechanism: .scramSha512, password: "wrong")
            #expect(refused.errorCode == KafkaError.saslAuthenticationFailed)
            #expect(refused.errorMessage?.contains("invalid credentials") == true)
            #expect(try await client.receiveFrame() == nil)
        }
    }

    @Test func anUnknownUserIsRefusedAtTheFirstMessage() async throws {
        try await Self.withSaslListener { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            let refused = try await Self.scramLogin(client, mechanism: .scramSha256, user: "mallory")
            #expect(refused.errorCode == KafkaError.saslAuthenticationFailed)
            #expect(try await client.receiveFrame() == nil)
        }
    }

    @Test func anyOtherRequestBeforeAuthenticationClosesTheConnection() async throws {
        try await Self.withSaslListener { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            guard case .apiVersions(let versions) = try await client.roundTrip(ListenerLimitsTests.apiVersions, version: 3) else {
                Issue.record("not an ApiVersions answer")
                return
            }
            let advertised = Set(versions.apiKeys.map(\.apiKey))
            #expect(advertised.contains(ApiKey.saslHandshake.rawValue) && advertised.contains(ApiKey.saslAuthenticate.rawValue))
            _ = try await client.send(RawKafkaSocket.request(Self.metadata, version: 8))
            #expect(try await client.receiveFrame() == nil)
        }
    }

    @Test func plainOverTheV0RawTokenPath() async throws {
        try await Self.withSaslListener { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            guard case .saslHandshake(let hello) = try await client.roundTrip(Self.handshake("PLAIN"), version: 0) else {
                Issue.record("not a SaslHandshake answer")
                return
            }
            #expect(hello.errorCode == 0)
            #expect(Set(hello.mechanisms) == ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
            // The next frame is the bare PLAIN token; the answer a bare (empty) token.
            _ = try await client.send(KafkaFrameDecoder.frame(Array("\0alice\0\(Self.password)".utf8)))
            #expect(try await client.receiveFrame() == [])
            guard case .metadata = try await client.roundTrip(Self.metadata, version: 8, correlationId: 2) else {
                Issue.record("not a Metadata answer")
                return
            }
        }
    }

    @Test func aWrongPlainPasswordOnTheV0PathClosesTheConnection() async throws {
        try await Self.withSaslListener { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            _ = try await client.roundTrip(Self.handshake("PLAIN"), version: 0)
            _ = try await client.send(KafkaFrameDecoder.frame(Array("\0alice\0guess".utf8)))
            #expect(try await client.receiveFrame() == nil)
        }
    }

    @Test func reauthenticationOnTheSameConnectionIsAccepted() async throws {
        try await Self.withSaslListener { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            #expect(try await Self.scramLogin(client, mechanism: .scramSha512).errorCode == 0)
            #expect(try await Self.scramLogin(client, mechanism: .scramSha256).errorCode == 0)
            guard case .metadata = try await client.roundTrip(Self.metadata, version: 8, correlationId: 9) else {
                Issue.record("not a Metadata answer")
                return
            }
        }
    }

    @Test func anUnknownMechanismIsRefusedWithTheEnabledOnes() async throws {
        try await Self.withSaslListener { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            guard case .saslHandshake(let hello) = try await client.roundTrip(Self.handshake("GSSAPI"), version: 1) else {
                Issue.record("not a SaslHandshake answer")
                return
            }
            #expect(hello.errorCode == KafkaError.unsupportedSaslMechanism)
            #expect(hello.mechanisms.contains("SCRAM-SHA-512"))
        }
    }

    @Test func aPlaintextListenerRefusesTheHandshake() async throws {
        try await Self.withSaslListener(.plaintext) { _, port in
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            guard case .saslHandshake(let hello) = try await client.roundTrip(Self.handshake("PLAIN"), version: 1) else {
                Issue.record("not a SaslHandshake answer")
                return
            }
            #expect(hello.errorCode == KafkaError.illegalSaslState)
            // ...and keeps serving, as Kafka does.
            guard case .metadata = try await client.roundTrip(Self.metadata, version: 8, correlationId: 2) else {
                Issue.record("not a Metadata answer")
                return
            }
        }
    }

    /// The connection keeps `User:NAME` for authorization, over what TLS said of it.
    @Test func theSaslPrincipalIsKeptOnTheConnection() async throws {
        let f = try KafkaBrokerTests.Fixture()
        let usersDirectory = NSTemporaryDirectory() + "wharf-sasl-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: usersDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: usersDirectory) }
        var users = UserDatabase()
        users.users["alice"] = [.plain: ScramCredential(password: Array(Self.password.utf8), hash: .sha512)]
        try UserStore(dataDirectory: usersDirectory).save(users)
        var config = KafkaServer.Configuration()
        config.users = UserStore(dataDirectory: usersDirectory)
        let broker = KafkaBroker(engine: f.engine, configuration: config, logger: Logger(label: "test"))
        var session = ConnectionSession(peer: "127.0.0.1:1", connection: KafkaConnectionInfo(
            security: .saslSSL, advertisedHost: "127.0.0.1", advertisedPort: 9093, principal: "User:CN=client"))
        #expect(session.principal == "User:CN=client")
        _ = await broker.handle(RawKafkaSocket.request(Self.handshake("PLAIN"), version: 1).dropFirst(4).map { $0 }, session: &session)
        let token = Self.authenticate(Array("\0alice\0\(Self.password)".utf8))
        guard case .respond = await broker.handle(RawKafkaSocket.request(token, version: 2).dropFirst(4).map { $0 }, session: &session) else {
            Issue.record("no answer to SaslAuthenticate")
            return
        }
        #expect(session.isAuthenticated)
        #expect(session.principal == "User:alice")
    }

    @Test func failedAuthenticationsAreLoggedAtMostTheLimitPerWindow() {
        let clock = ManualClock()
        let lines = LogLines()
        let log = SecurityEventLog(logger: Logger(label: "test") { _ in lines }, clock: clock, linesPerWindow: 2, windowMillis: 1000)
        for _ in 0..<5 { log.authenticationFailed(principal: "User:x", peer: "127.0.0.1:1", mechanism: "PLAIN", reason: "no") }
        #expect(lines.messages == ["SASL authentication failed", "SASL authentication failed"])
        clock.advance(byMillis: 1000)
        log.authenticationFailed(principal: "User:x", peer: "127.0.0.1:1", mechanism: "PLAIN", reason: "no")
        #expect(lines.messages.suffix(2) == ["security events not logged (rate limit)", "SASL authentication failed"])
    }
}

/// The messages logged through it, for the security log's rate limit.
struct LogLines: LogHandler {
    private final class Sink: Sendable {
        let messages = Mutex<[String]>([])
    }

    private let sink = Sink()
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var messages: [String] { sink.messages.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        sink.messages.withLock { $0.append("\(event.message)") }
    }
}
