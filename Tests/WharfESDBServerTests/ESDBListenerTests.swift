import Foundation
import GRPCCore
import Testing
import WharfESDBProtocol
import WharfESDBServer
import WharfEvents

/// The listener's own services through a real h2c connection (grpc-swift's client in-process).
@Suite struct ESDBListenerTests {
    /// The .NET client enables BatchAppend and the rest only when ServerFeatures lists them
    /// (lower-cased service and method names, KurrentDB's features).
    @Test func getSupportedMethodsListsEveryServedMethod() async throws {
        try await ESDBTestServer().stopping { server in
            let answer = try await server.withClient { client in
                try await EventStore_Client_ServerFeatures_ServerFeatures.Client(wrapping: client).getSupportedMethods(EventStore_Client_Empty())
            }
            let methods = Set(answer.methods.map { "\($0.serviceName)/\($0.methodName)" })
            for expected in ["event_store.client.streams.streams/batchappend", "event_store.client.streams.streams/read",
                             "event_store.client.streams.streams/append", "event_store.client.gossip.gossip/read",
                             "event_store.client.server_features.serverfeatures/getsupportedmethods"] {
                #expect(methods.contains(expected), "\(expected) missing from \(methods.sorted())")
            }
            let read = answer.methods.first { $0.serviceName == "event_store.client.streams.streams" && $0.methodName == "read" }
            #expect(read?.features == ["position", "events"])
            #expect(!answer.eventStoreServerVersion.isEmpty)
        }
    }

    /// Discovery (`esdb+discover://`) keeps a Leader member and connects to its address.
    @Test func gossipAdvertisesOneLeaderAtTheBoundPort() async throws {
        try await ESDBTestServer().stopping { server in
            let info = try await server.withClient { client in
                try await EventStore_Client_Gossip_Gossip.Client(wrapping: client).read(EventStore_Client_Empty())
            }
            #expect(info.members.count == 1)
            #expect(info.members.first?.state == .leader && info.members.first?.isAlive == true)
            #expect(info.members.first?.httpEndPoint.port == UInt32(server.port) && info.members.first?.httpEndPoint.address == "127.0.0.1")
        }
    }
}
