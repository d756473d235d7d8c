import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfKafkaServer
import WharfStorage

/// Several requests in flight on one connection under `--fsync always` (issue 17): the Produce
/// requests are written in arrival order and share fdatasyncs, and the answers, produce or not,
/// come back in request order with the offsets the order implies.
@Suite struct ProducePipeliningTests {
    @Test func pipelinedProducesAreAnsweredInOrder() async throws {
        let dir = NSTemporaryDirectory() + "wharf-pipeline-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try Engine.open(config: EngineConfig(dataDirectory: dir, fsync: .always), logger: Logger(label: "test"))
        try engine.createTopic("t", .init(partitions: 1))
        var configuration = KafkaServer.Configuration.forTest()
        let server = KafkaServer(engine: engine, configuration: configuration, logger: Logger(label: "test"))
        let port = try await server.start()
        let socket = try await RawKafkaSocket.connect(port: port)
        defer { socket.close() }

        // One idempotent producer: its sequences must be checked in the order it sent them.
        let producer = try engine.allocateProducerId()
        let requests = 24
        var bytes: [UInt8] = []
        for i in 0..<requests {
            if i % 8 == 5 {
                bytes += RawKafkaSocket.request(.apiVersions(ApiVersionsRequest()), version: 0, correlationId: Int32(i))
                continue
            }
            let records = (0..<2).map { Record(key: nil, value: Array("r\(i)-\($0)".utf8)) }
            let batch = RecordBatchBuilder.encode(records, defaultTimestamp: 1, producerId: producer, producerEpoch: 0,
                                                  baseSequence: Int32(2 * (i - (i + 2) / 8)))
            let produce = ProduceRequest(acks: -1, timeoutMs: 5000, topicData: [.init(name: "t", partitionData: [.init(index: 0, records: batch)])])
            bytes += RawKafkaSocket.request(.produce(produce), version: 7, correlationId: Int32(i))
        }
        #expect(try await socket.send(bytes) == bytes.count)

        var nextOffset: Int64 = 0
        for i in 0..<requests {
            guard let payload = try await socket.receiveFrame() else {
                Issue.record("connection closed before answer \(i)")
                break
            }
            let isProduce = i % 8 != 5
            let (id, body) = try KafkaResponse.decode(payload, apiKey: isProduce ? .produce : .apiVersions, version: isProduce ? 7 : 0)
            #expect(id == Int32(i), "answers in request order")
            if isProduce {
                guard case .produce(let r) = body, let p = r.responses.first?.partitionResponses.first else {
                    Issue.record("answer \(i) is not a produce answer")
                    continue
                }
                #expect(p.errorCode == 0, "request \(i): \(p.errorMessage ?? "")")
                #expect(p.baseOffset == nextOffset)
                nextOffset += 2
                // Acknowledged under `always`: already visible, so already fdatasync'ed.
                #expect(try engine.offsets(topic: "t", partition: 0).logEnd >= nextOffset)
            }
        }
        #expect(try engine.readRecords(topic: "t", partition: 0, from: 0, maxRecords: 100).count == Int(nextOffset))
        await server.stop()
        try engine.close()
    }

    /// An fdatasync that fails under `always`: the Produce it would have acknowledged answers
    /// KAFKA_STORAGE_ERROR instead of an offset, and the listener keeps serving.
    @Test func failedGroupCommitAnswersWithAStorageError() async throws {
        let dir = NSTemporaryDirectory() + "wharf-pipeline-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let faults = FaultInjector()
        var config = EngineConfig(dataDirectory: dir, fsync: .always)
        config.faults = faults
        let engine = try Engine.open(config: config, logger: Logger(label: "test"))
        try engine.createTopic("t", .init(partitions: 1))
        var configuration = KafkaServer.Configuration.forTest()
        let server = KafkaServer(engine: engine, configuration: configuration, logger: Logger(label: "test"))
        let port = try await server.start()
        let socket = try await RawKafkaSocket.connect(port: port)
        defer { socket.close() }

        faults.fail(.sync, pathSuffix: ".log")
        let batch = RecordBatchBuilder.encode([Record(key: nil, value: Array("x".utf8))], defaultTimestamp: 1)
        let produce = ProduceRequest(acks: -1, timeoutMs: 5000, topicData: [.init(name: "t", partitionData: [.init(index: 0, records: batch)])])
        guard case .produce(let r) = try await socket.roundTrip(.produce(produce), version: 7, correlationId: 1),
              let p = r.responses.first?.partitionResponses.first else {
            Issue.record("not a produce answer")
            return
        }
        #expect(p.errorCode == 56, "KAFKA_STORAGE_ERROR, not an acknowledgement")
        #expect(try engine.offsets(topic: "t", partition: 0).logEnd == 0, "nothing unsynced became readable")
        guard case .apiVersions = try await socket.roundTrip(.apiVersions(ApiVersionsRequest()), version: 0, correlationId: 2) else {
            Issue.record("the listener stopped answering")
            return
        }
        await server.stop()
        try? engine.close()
    }
}
