import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfKafkaClient
@testable import WharfKafkaServer

/// A client over the real listener cannot destroy Wharf's internal state (finding 8), plant a
/// bookmark that hangs the requeue (finding 12), freeze a group with an endless session
/// (finding 15), or create partitions without bound (finding 11).
@Suite struct InternalStateAuthorizationTests {
    /// An engine on a data directory with a listener on 127.0.0.1:0 and a client; `restart`
    /// closes and reopens the engine on the same files.
    final class Live {
        let dir = NSTemporaryDirectory() + "wharf-authz-\(UUID().uuidString)"
        let config: EngineConfig
        var engine: Engine
        var server: KafkaServer
        var client: KafkaClient

        init(configure: (inout EngineConfig) -> Void = { _ in }) async throws {
            var c = EngineConfig(dataDirectory: dir, fsync: .never)
            configure(&c)
            config = c
            engine = try Engine.open(config: c, logger: Logger(label: "test"))
            (server, client) = try await Self.listen(engine)
        }

        static func listen(_ engine: Engine) async throws -> (KafkaServer, KafkaClient) {
            let serverConfig = KafkaServer.Configuration.forTest()
            let server = KafkaServer(engine: engine, configuration: serverConfig, logger: Logger(label: "test"))
            let port = try await server.start()
            return (server, KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)]))
        }

        func restart() async throws {
            await client.close()
            await server.stop()
            try engine.close()
            engine = try Engine.open(config: config, logger: Logger(label: "test"))
            (server, client) = try await Self.listen(engine)
        }

        func stop() async {
            await client.close()
            await server.stop()
            try? engine.close()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    static func code(_ body: () async throws -> Void) async -> Int16? {
        do { try await body() } catch let KafkaClientError.broker(_, code, _) { return code } catch { return -999 }
        return nil
    }

    @Test func internalTopicsCannotBeTruncatedOrDeletedAndCommitsSurviveTheAttempt() async throws {
        let live = try await Live()
        do {
            try live.engine.createTopic("t", .init(partitions: 1))
            try await live.client.commitOffsets(group: "g", [TopicPartition("t", 0): 0])
            let offsets = TopicPartition(Engine.offsetsTopic, 0)
            #expect(await Self.code { _ = try await live.client.deleteRecords([offsets: -1]) } == KafkaError.topicAuthorizationFailed)
            #expect(await Self.code { try await live.client.deleteTopic(Engine.offsetsTopic) } == KafkaError.topicAuthorizationFailed)
            try await live.restart()
            #expect(try await live.client.offsetFetch(["g"])["g"] == [TopicPartition("t", 0): 0], "the commit survived")
        } catch {
            await live.stop()
            throw error
        }
        await live.stop()
    }

    @Test func wharfGroupsAreNotTheClientsToJoinDeleteOrCorrupt() async throws {
        let live = try await Live()
        do {
            try live.engine.createTopic("t.DLT", .init(partitions: 1))
            try live.engine.produce(topic: "t.DLT", records: [Record(key: nil, value: Array("x".utf8))])
            let group = Engine.requeueGroup(for: "t.DLT")
            let tp = TopicPartition("t.DLT", 0)
            // The engine's own requeue keeps its bookmark there.
            try await live.engine.coordinator.commit(groupId: group, generationId: -1, memberId: "", offsets: [tp: (offset: 1, metadata: "")])
            #expect(await Self.code { try await live.client.deleteGroups([group]) } == KafkaError.groupAuthorizationFailed)
            for metadata in ["0-9223372036854775806", "|t/0@0+9223372036854775807", "junk"] {
                #expect(await Self.code { try await live.client.commitOffsets(group: group, withMetadata: [tp: (offset: 0, metadata: metadata)]) }
                        == KafkaError.groupAuthorizationFailed, "\(metadata)")
            }
            #expect(await Self.code { try await live.client.commitOffsets(group: group, [tp: .max]) } == KafkaError.groupAuthorizationFailed)
            #expect(await Self.code { try await live.client.commitOffsets(group: "__wharf-other", [tp: 0]) } == KafkaError.groupAuthorizationFailed)
            #expect(await live.engine.coordinator.fetchOffsets(groupId: group, partitions: nil)[tp]?.offset == 1, "the bookmark is untouched")
            // `wharf dlq requeue --bootstrap` writes well-formed bookmarks the same way: accepted.
            try await live.client.commitOffsets(group: group, withMetadata: [tp: (offset: 0, metadata: "0|t/0@0+1")])
            var join = JoinGroupRequest(groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, protocolType: "consumer",
                                        protocols: [.init(name: "range", metadata: [])])
            #expect(try await live.client.send(join, to: .any).errorCode == KafkaError.groupAuthorizationFailed)
            join.groupId = "ordinary"
            join.sessionTimeoutMs = .max
            #expect(try await live.client.send(join, to: .any).errorCode == KafkaError.invalidSessionTimeout, "finding 15")
            join.sessionTimeoutMs = 5_999
            #expect(try await live.client.send(join, to: .any).errorCode == KafkaError.invalidSessionTimeout)
        } catch {
            await live.stop()
            throw error
        }
        await live.stop()
    }

    @Test func topicCreationOverTheWireIsBounded() async throws {
        let live = try await Live { $0.autoCreateBurst = 2 }
        do {
            func create(_ name: String, partitions: Int32, configs: [String: String] = [:]) async throws -> Int16 {
                let topic = CreateTopicsRequest.CreatableTopic(name: name, numPartitions: partitions, replicationFactor: 1,
                                                                configs: configs.map { .init(name: $0.key, value: $0.value) })
                return try await live.client.send(CreateTopicsRequest(topics: [topic]), to: .controller).topics.first?.errorCode ?? -999
            }
            #expect(try await create("wide", partitions: 10_000) == KafkaError.policyViolation)
            let validateOnly = CreateTopicsRequest(topics: [.init(name: "v", numPartitions: 5_000, replicationFactor: 1)], validateOnly: true)
            #expect(try await live.client.send(validateOnly, to: .controller).topics.first?.errorCode == KafkaError.policyViolation)
            #expect(try await create("tiny", partitions: 1, configs: ["segment.bytes": "1024"]) == KafkaError.policyViolation)
            #expect(try await create("ok", partitions: 1, configs: ["segment.bytes": "1048576"]) == KafkaError.none)
            let names = ["auto1", "auto2", "auto3"]
            let metadata = try await live.client.send(MetadataRequest(topics: names.map { .init(name: $0) }, allowAutoTopicCreation: true), to: .any)
            #expect(metadata.topics.map(\.errorCode) == [KafkaError.none, KafkaError.none, KafkaError.unknownTopicOrPartition],
                    "two auto-created, the third over the budget")
            #expect(live.engine.listTopics() == ["auto1", "auto2", "ok"])
        } catch {
            await live.stop()
            throw error
        }
        await live.stop()
    }
}
