import Foundation
import Testing
@testable import WharfESDBServer
import WharfEvents

/// `ESDBAuthorizer` keeps parsed ACLs per revision of `$settings` / `$$<stream>`: a change is
/// seen at the next call, and calls between changes read and parse nothing.
@Suite struct ESDBAclCacheTests {
    static func write(_ object: String, to stream: String, in store: EventStore) throws {
        let event = EventData(type: ESDBStreams.metadataType, data: Array(object.utf8), contentType: ESDBWire.jsonContentType)
        try store.appendAllowingSystemStream(stream: stream, events: [event])
    }

    @Test func aChangedStreamAclAppliesAtTheNextCall() async throws {
        try await ESDBTestServer().stopping { server in
            let authorizer = ESDBAuthorizer(streams: ESDBStreams(store: server.store), admins: ["root"])
            let metadata = ESDBStreams.metadataStream(of: "order-1")
            #expect(authorizer.allows(user: "alice", .read, on: "order-1"))  // no $acl: user streams default to $all
            try Self.write(#"{"$acl":{"$r":["bob"]}}"#, to: metadata, in: server.store)
            #expect(!authorizer.allows(user: "alice", .read, on: "order-1"))
            #expect(authorizer.allows(user: "bob", .read, on: "order-1"))
            try Self.write(#"{"$acl":{"$r":"alice"}}"#, to: metadata, in: server.store)
            #expect(authorizer.allows(user: "alice", .read, on: "order-1"))
            #expect(!authorizer.allows(user: "bob", .read, on: "order-1"))
        }
    }

    @Test func changedSettingsApplyAtTheNextCall() async throws {
        try await ESDBTestServer().stopping { server in
            let authorizer = ESDBAuthorizer(streams: ESDBStreams(store: server.store), admins: ["root"])
            try Self.write(#"{"$userStreamAcl":{"$w":["carol"]}}"#, to: ESDBAuthorizer.settingsStream, in: server.store)
            #expect(!authorizer.allows(user: "alice", .write, on: "order-1"))
            #expect(authorizer.allows(user: "carol", .write, on: "order-1"))
            try Self.write(#"{"$userStreamAcl":{"$w":"$all"}}"#, to: ESDBAuthorizer.settingsStream, in: server.store)
            #expect(authorizer.allows(user: "alice", .write, on: "order-1"))
        }
    }

    @Test func callsBetweenChangesParseNothing() async throws {
        try await ESDBTestServer().stopping { server in
            let authorizer = ESDBAuthorizer(streams: ESDBStreams(store: server.store), admins: ["root"])
            try Self.write(#"{"$acl":{"$r":["bob"]}}"#, to: ESDBStreams.metadataStream(of: "order-1"), in: server.store)
            #expect(authorizer.allows(user: "bob", .read, on: "order-1"))
            let parsed = authorizer.cache.parseCount
            #expect(parsed >= 1)
            for _ in 0..<100 {
                #expect(authorizer.allows(user: "bob", .read, on: "order-1"))
                #expect(!authorizer.allows(user: "alice", .read, on: "order-1"))
            }
            #expect(authorizer.cache.parseCount == parsed)
            try Self.write(#"{"$acl":{"$r":["alice"]}}"#, to: ESDBStreams.metadataStream(of: "order-1"), in: server.store)
            #expect(authorizer.allows(user: "alice", .read, on: "order-1"))
            #expect(authorizer.cache.parseCount == parsed + 1)
        }
    }
}
