import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// `message.timestamp.before.max.ms` / `message.timestamp.after.max.ms` set per topic by
/// CreateTopics over the real listener: that topic's produce window is its own, other topics
/// keep the engine's, and the setting survives a restart (it is in `topic.json`).
@Suite struct TopicTimestampWindowTests {
    static let start = HostileProduceTests.start

    /// CreateTopics v4 of `name` (1 partition) with `configs`: the topic's error code.
    static func create(_ b: HostileProduceTests.Broker, _ name: String, _ configs: [(String, String)]) throws -> Int16 {
        let topic = CreateTopicsRequest.CreatableTopic(name: name, numPartitions: 1, replicationFactor: 1,
                                                       configs: configs.map { .init(name: $0.0, value: $0.1) })
        let body = KafkaRequestBody.createTopics(CreateTopicsRequest(topics: [topic], timeoutMs: 1000))
        let request = KafkaRequest(header: RequestHeader(requestApiKey: ApiKey.createTopics.rawValue, requestApiVersion: 4, correlationId: 3, clientId: "admin"), body: body)
        let reply = try HostileProduceTests.RawConnection(port: b.port).roundTrip(request.encodedFrame())
        guard case .createTopics(let r) = try KafkaResponse.decode(reply, apiKey: .createTopics, version: 4).body, let t = r.topics.first else {
            throw WharfError.malformed("not a CreateTopics answer")
        }
        return t.errorCode
    }

    @Test func aTopicsOwnWindowIsEnforcedAndKeptAcrossARestart() async throws {
        let b = try await HostileProduceTests.Broker()
        do {
            #expect(try Self.create(b, "strict", [("message.timestamp.before.max.ms", "60000"), ("message.timestamp.after.max.ms", "1000")]) == 0)
            #expect(try Self.create(b, "loose", []) == 0)
            // Bad values are refused, and nothing is created.
            #expect(try Self.create(b, "bad1", [("message.timestamp.before.max.ms", "-1")]) == KafkaError.invalidConfig)
            #expect(try Self.create(b, "bad2", [("message.timestamp.after.max.ms", "soon")]) == KafkaError.invalidConfig)
            #expect(!b.engine.listTopics().contains("bad1") && !b.engine.listTopics().contains("bad2"))

            let twoMinutesAgo = HostileProduceTests.good("old", at: Self.start - 120_000)
            let fiveSecondsAhead = HostileProduceTests.good("ahead", at: Self.start + 5_000)
            for _ in 0..<2 {
                #expect(try await b.produce("strict", twoMinutesAgo).code == KafkaError.invalidTimestamp)
                #expect(try await b.produce("strict", fiveSecondsAhead).code == KafkaError.invalidTimestamp)
                #expect(try await b.produce("strict", HostileProduceTests.good("30s ago", at: Self.start - 30_000)).code == 0)
                // The engine's window (unlimited before, one hour after) for the other topic.
                #expect(try await b.produce("loose", twoMinutesAgo).code == 0)
                #expect(try await b.produce("loose", fiveSecondsAhead).code == 0)
                try await b.restart()
            }
            #expect(try b.values("strict") == ["30s ago", "30s ago"])
        } catch {
            await b.stop()
            throw error
        }
        await b.stop()
    }
}
