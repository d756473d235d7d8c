import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfKafkaServer
import WharfStorage
import WharfTestSupport

/// The listener's default executor (`requestExecutor` nil, as `wharf serve` runs): Produce and
/// Fetch handled on the connection's event loop, the other APIs on the global executor. Through
/// real sockets: a parked Fetch is woken by another connection's Produce and answered long
/// before its max wait, every stage of both is measured, the admin APIs still answer, and
/// `stop()` returns with a Fetch still parked.
@Suite(.ownThread) struct RecordPathOnEventLoopTests {
    static func fetch(maxWaitMs: Int32, topic: String = "t") -> KafkaRequestBody {
        .fetch(FetchRequest(maxWaitMs: maxWaitMs, minBytes: 1, maxBytes: 1 << 20, topics: [
            .init(topic: topic, partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)])]))
    }

    static func produce(_ value: String, topic: String = "t") -> KafkaRequestBody {
        let batch = RecordBatchBuilder.encode([Record(key: nil, value: Array(value.utf8))], defaultTimestamp: 1)
        return .produce(ProduceRequest(acks: -1, timeoutMs: 5000, topicData: [.init(name: topic, partitionData: [.init(index: 0, records: batch)])]))
    }

    /// A listener with the production defaults over an engine under `interval:100`.
    struct Fixture {
        let dir = NSTemporaryDirectory() + "wharf-loop-\(UUID().uuidString)"
        let engine: Engine
        let server: KafkaServer
        let port: Int

        init() async throws {
            engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .interval(milliseconds: 100)), logger: Logger(label: "test"))
            try engine.createTopic("t", .init(partitions: 1))
            var configuration = KafkaServer.Configuration()
            configuration.port = 0
            #expect(configuration.requestExecutor == nil, "the default this suite is about")
            server = KafkaServer(engine: engine, configuration: configuration, logger: Logger(label: "test"))
            port = try await server.start()
        }

        func tearDown() async {
            await server.stop()
            try? engine.close()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func aParkedFetchIsWokenByAProduceOnAnotherConnectionAndEveryStageIsMeasured() async throws {
        let f = try await Fixture()
        let consumer = try await RawKafkaSocket.connect(port: f.port)
        let producer = try await RawKafkaSocket.connect(port: f.port)
        defer { consumer.close(); producer.close() }
        let wakeupsBefore = StorageLatencies.readerWakeup.snapshot.count
        let notifier = try f.engine.appendNotifier(topic: "t", partition: 0)

        _ = try await consumer.send(RawKafkaSocket.request(Self.fetch(maxWaitMs: 30_000), version: 11, correlationId: 7))
        try await FetchWakeOnAppendTests.eventually { notifier.waitingCount == 1 }
        let appended = ContinuousClock.now
        guard case .produce(let produced) = try await producer.roundTrip(Self.produce("hello"), version: 7, correlationId: 8) else {
            Issue.record("not a produce response"); return
        }
        #expect(produced.responses[0].partitionResponses[0].errorCode == 0)
        guard let payload = try await consumer.receiveFrame(timeout: .seconds(25)) else { Issue.record("closed"); return }
        // Far below the 30 s max wait: the append woke it (loose: the suites share two cores).
        #expect(ContinuousClock.now - appended < .seconds(25))
        let (id, body) = try KafkaResponse.decode(payload, apiKey: .fetch, version: 11)
        #expect(id == 7)
        guard case .fetch(let fetched) = body else { Issue.record("not a fetch response"); return }
        let records = try RecordBatchReader.records(in: fetched.responses[0].partitions[0].records ?? [])
        #expect(records.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["hello"])
        #expect(StorageLatencies.readerWakeup.snapshot.count > wakeupsBefore, "the append's wake-up of the parked fetch was timed")

        // The writer records the last stages as the bytes leave, maybe just after the client read them.
        var stages: [String: UInt64] = [:]
        for _ in 0..<500 {
            stages = Dictionary(uniqueKeysWithValues: f.server.requestStageLatencies.histograms.map {
                ("\($0.api).\($0.stage.rawValue)", $0.histogram.snapshot.count)
            })
            if stages.count == 10 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        for api in ["Produce", "Fetch"] {
            for stage in RequestStageLatencies.Stage.allCases {
                #expect(stages["\(api).\(stage.rawValue)"] == 1, "\(api) \(stage) measured once")
            }
        }
        await f.tearDown()
    }

    @Test func apisOffTheRecordPathStillAnswerInOrderWithProduces() async throws {
        let f = try await Fixture()
        let socket = try await RawKafkaSocket.connect(port: f.port)
        defer { socket.close() }
        // Pipelined: a Produce, a CreateTopics (run on the global executor) and a Produce again.
        let create = KafkaRequestBody.createTopics(CreateTopicsRequest(topics: [.init(name: "made", numPartitions: 1, replicationFactor: 1)]))
        let frames = RawKafkaSocket.request(Self.produce("a"), version: 7, correlationId: 1)
            + RawKafkaSocket.request(create, version: 4, correlationId: 2)
            + RawKafkaSocket.request(Self.produce("b"), version: 7, correlationId: 3)
        _ = try await socket.send(frames)
        var ids: [Int32] = []
        for (apiKey, version) in [(ApiKey.produce, Int16(7)), (.createTopics, 4), (.produce, 7)] {
            guard let payload = try await socket.receiveFrame() else { Issue.record("closed"); return }
            let (id, body) = try KafkaResponse.decode(payload, apiKey: apiKey, version: version)
            ids.append(id)
            if case .createTopics(let r) = body { #expect(r.topics.first?.errorCode == 0) }
        }
        #expect(ids == [1, 2, 3], "answers in request order")
        #expect(f.engine.listTopics().contains("made"))
        let stored = try RecordBatchReader.records(in: f.engine.fetch(topic: "t", partition: 0, offset: 0).bytes)
        #expect(stored.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["a", "b"])
        await f.tearDown()
    }

    @Test func stopReturnsWhileAFetchIsStillParked() async throws {
        let f = try await Fixture()
        let consumer = try await RawKafkaSocket.connect(port: f.port)
        defer { consumer.close() }
        let notifier = try f.engine.appendNotifier(topic: "t", partition: 0)
        _ = try await consumer.send(RawKafkaSocket.request(Self.fetch(maxWaitMs: 30_000), version: 11, correlationId: 1))
        try await FetchWakeOnAppendTests.eventually { notifier.waitingCount == 1 }
        let stopping = ContinuousClock.now
        await f.tearDown()
        #expect(ContinuousClock.now - stopping < .seconds(25), "the parked fetch's worker was cancelled, not waited out")
        #expect(notifier.waitingCount == 0)
    }
}
