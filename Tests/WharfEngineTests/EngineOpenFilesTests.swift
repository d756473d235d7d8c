import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine
import WharfTestSupport

/// Issue 13, "Limits": `EngineConfig.maxOpenSegmentFiles` bounds the descriptors of sealed
/// segments across all topics; only active segments hold one each.
@Suite struct EngineOpenFilesTests {
    @Test func sealedSegmentsOfEveryTopicShareTheEnginesBoundedCache() throws {
        let path = NSTemporaryDirectory() + "wharf-engine-fds-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var config = EngineConfig(dataDirectory: path, fsync: .never)
        config.minSegmentBytes = 1024
        config.maxOpenSegmentFiles = 4
        let engine = try Engine.open(config: config, clock: ManualClock(1_800_000_000_000), logger: Logger(label: "test"))
        defer { try? engine.close() }
        #expect(engine.segmentFiles.capacity == 4)
        for topic in ["a", "b"] {
            try engine.createTopic(topic, .init(partitions: 1, segmentBytes: 1024))
            for i in 0..<60 {
                try engine.produce(topic: topic, records: [Record(key: nil, value: String(repeating: "x", count: 200) + "\(i)")])
            }
            #expect(try engine.describeTopic(topic).partitions[0].segments > 10)
        }
        for topic in ["a", "b"] {
            let read = try engine.readRecords(topic: topic, partition: 0, from: 0, maxRecords: 100)
            #expect(read.map { String(decoding: $0.value ?? [], as: UTF8.self) } == (0..<60).map { String(repeating: "x", count: 200) + "\($0)" })
        }
        // Four cached, one active segment per partition (a, b, __consumer_offsets), and the few
        // small files the engine keeps open (its lock); not one per segment.
        let open = OpenDescriptors.paths(under: path)
        #expect(open.filter { $0.hasSuffix(".log") }.count <= 4 + 3, "\(open)")
        #expect(open.count <= 4 + 3 + 2, "\(open)")
    }
}
