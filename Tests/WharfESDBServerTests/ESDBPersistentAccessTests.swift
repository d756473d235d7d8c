import Foundation
import GRPCCore
import Testing
import WharfESDBProtocol
@testable import WharfESDBServer
import WharfEvents

/// Who may list persistent subscription groups and restart the subsystem, with `--authorize`:
/// the service under `ESDBAccess` as the authentication interceptor sets it for a caller (the
/// TLS and Basic-credential path itself runs with kurrentdbclient in EndToEndTests/ESDBSecurityTests).
@Suite struct ESDBPersistentAccessTests {
    typealias PS = EventStore_Client_PersistentSubscriptions_PersistentSubscriptions
    typealias ListReq = EventStore_Client_PersistentSubscriptions_ListReq

    /// Groups on `open-1` (default ACL: every user reads) and `secret-1` (`$r`: alice only).
    static func server() async throws -> ESDBTestServer {
        let server = try await ESDBTestServer()
        let store = server.store
        try store.createPersistentSubscription("audit", on: .stream("open-1"), settings: PersistentSubscriptionSettings(startFrom: .start))
        try store.createPersistentSubscription("audit", on: .stream("secret-1"), settings: PersistentSubscriptionSettings(startFrom: .start))
        let acl = EventData(type: ESDBStreams.metadataType, data: Array(#"{"$acl":{"$r":["alice"]}}"#.utf8), contentType: ESDBWire.jsonContentType)
        try store.appendAllowingSystemStream(stream: ESDBStreams.metadataStream(of: "secret-1"), events: [acl])
        return server
    }

    /// Runs `body` as `caller` would run through the listener with `--authorize --super-users User:root`.
    static func run<T: Sendable>(as caller: ESDBCaller, on server: ESDBTestServer,
                                 _ body: (PersistentSubscriptionsService, ServerContext) async throws -> T) async throws -> T {
        let authorizer = ESDBAuthorizer(streams: ESDBStreams(store: server.store), admins: ["root"])
        let service = PersistentSubscriptionsService(store: server.store, logger: ESDBTestServer.quiet)
        return try await withServerContextRPCCancellationHandle { handle in
            let context = ServerContext(descriptor: PS.Method.List.descriptor, remotePeer: "in-process", localPeer: "in-process", cancellation: handle)
            return try await ESDBAccess.$current.withValue(ESDBAccess(caller: caller, authorizer: authorizer)) {
                try await body(service, context)
            }
        }
    }

    static func listed(as caller: ESDBCaller, on server: ESDBTestServer, stream: String? = nil) async throws -> [String] {
        var request = ListReq()
        if let stream { request.options.listForStream.stream = ESDBWire.streamIdentifier(stream) } else { request.options.listAllSubscriptions = .init() }
        let sent = request
        return try await run(as: caller, on: server) { service, context in
            try await service.list(request: sent, context: context).subscriptions.map(\.eventSource)
        }
    }

    static func expectAccessDenied(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            try await body()
            Issue.record("not refused", sourceLocation: sourceLocation)
        } catch let error as RPCError {
            #expect(error.code == .permissionDenied, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(error)", sourceLocation: sourceLocation)
        }
    }

    /// A listing of every group shows the caller the groups on streams it may read; the groups
    /// of one stream it may not read are AccessDenied; an anonymous caller lists nothing.
    @Test func aListingShowsOnlyTheGroupsOfStreamsTheCallerMayRead() async throws {
        try await Self.server().stopping { server async throws in  // the throwing calls are all inside #expect
            #expect(try await Self.listed(as: .user("bob"), on: server) == ["open-1"])
            #expect(try await Self.listed(as: .user("alice"), on: server) == ["open-1", "secret-1"])
            #expect(try await Self.listed(as: .user("root"), on: server) == ["open-1", "secret-1"])
            #expect(try await Self.listed(as: .insecure, on: server) == ["open-1", "secret-1"])
            #expect(try await Self.listed(as: .user("alice"), on: server, stream: "secret-1") == ["secret-1"])
            await Self.expectAccessDenied { _ = try await Self.listed(as: .user("bob"), on: server, stream: "secret-1") }
            await Self.expectAccessDenied { _ = try await Self.listed(as: .anonymous, on: server) }
        }
    }

    /// RestartSubsystem acts on the server: only `$admins` (the --super-users) may ask.
    @Test func onlyAnAdministratorMayRestartTheSubsystem() async throws {
        try await Self.server().stopping { server in
            for caller in [ESDBCaller.user("alice"), .anonymous] {
                await Self.expectAccessDenied {
                    _ = try await Self.run(as: caller, on: server) { service, context in
                        try await service.restartSubsystem(request: EventStore_Client_Empty(), context: context)
                    }
                }
            }
            for caller in [ESDBCaller.user("root"), .insecure] {
                _ = try await Self.run(as: caller, on: server) { service, context in
                    try await service.restartSubsystem(request: EventStore_Client_Empty(), context: context)
                }
            }
        }
    }
}
