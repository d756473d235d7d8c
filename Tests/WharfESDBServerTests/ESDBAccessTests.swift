import Foundation
import GRPCCore
import Testing
import WharfESDBProtocol
@testable import WharfESDBServer

/// Who may do what on the gRPC listener, through the real listener with grpc-swift clients. The
/// TLS and Basic-credential paths run with kurrentdbclient in EndToEndTests/ESDBSecurityTests.
@Suite(.serialized) struct ESDBAccessTests {
    typealias Streams = EventStore_Client_Streams_Streams

    /// `--authorize` on an h2c listener: nobody is identified, so no stream ACL can be met (a
    /// plaintext listener never bypasses them): appends and reads get AccessDenied, in the shapes
    /// the clients parse; Gossip, which needs no stream, still answers; nothing is written.
    @Test func withAuthorizeAPlaintextListenerRefusesEveryStreamCall() async throws {
        try await ESDBTestServer { $0.security.authorize = true }.stopping { server in
            let answers = try await ESDBStreamsTests.batchAppend(server, [ESDBStreamsTests.batch("order-1", [(UUID(), "Placed")], expected: nil)])
            #expect(answers.first?.error.code == .permissionDenied)
            #expect(answers.first?.error.details.isA(EventStore_Client_AccessDenied.self) == true)
            var options = EventStore_Client_Streams_ReadReq.Options()
            options.stream.streamIdentifier.streamName = Data("order-1".utf8)
            options.stream.start = .init()
            options.count = 10
            options.noFilter = .init()
            options.uuidOption.string = .init()
            do {
                _ = try await ESDBStreamsTests.read(server, options)
                Issue.record("the read was not refused")
            } catch let error as RPCError {
                #expect(error.code == .permissionDenied && error.message == "Access Denied", "\(error)")
            }
            let info = try await server.withClient { client in
                try await EventStore_Client_Gossip_Gossip.Client(wrapping: client).read(EventStore_Client_Empty())
            }
            #expect(info.members.count == 1)
            #expect(server.store.lastRevision(of: "order-1") == nil)
        }
    }

    /// Without `--authorize`, h2c is EventStoreDB's insecure mode: every call runs, and an
    /// `authorization` header (the .NET client sends one when its URI has credentials) is not
    /// checked, whatever it holds.
    @Test func insecureModeIgnoresCredentials() async throws {
        try await ESDBTestServer().stopping { server in
            var request = EventStore_Client_Streams_ReadReq()
            request.options.all.start = .init()
            request.options.count = 10
            request.options.noFilter = .init()
            request.options.uuidOption.string = .init()
            let sent = request
            let count = try await server.withClient { client in
                try await Streams.Client(wrapping: client).read(sent, metadata: ["authorization": "Basic !!not base64"]) { response in
                    var n = 0
                    for try await _ in response.messages { n += 1 }
                    return n
                }
            }
            #expect(count > 0)
        }
    }

    /// The header's parser: only `Basic base64(user:password)` with a user name is credentials.
    @Test func basicCredentialsParse() {
        let encoded = Data("alice:pa:ss".utf8).base64EncodedString()
        let parsed = ESDBAuthentication.basicCredentials("Basic \(encoded)")
        #expect(parsed?.user == "alice" && parsed?.password == Array("pa:ss".utf8))
        #expect(ESDBAuthentication.basicCredentials("basic \(encoded)")?.user == "alice")
        for bad in ["Bearer \(encoded)", "Basic", "Basic !!", "Basic \(Data(":pw".utf8).base64EncodedString())",
                    "Basic \(Data("nocolon".utf8).base64EncodedString())", "Basic \(Data([0xFF, 0x3A, 0x41]).base64EncodedString())",
                    "Basic " + String(repeating: "A", count: 10_000)] {
            #expect(ESDBAuthentication.basicCredentials(bad) == nil, "\(bad.prefix(40))")
        }
    }
}
