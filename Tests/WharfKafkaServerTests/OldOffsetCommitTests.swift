import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// OffsetCommit v0 and v1, what sarama's default configuration and other old clients send: a
/// hand-built frame (not the codec's own encoding) gets an answer and the offset is stored.
@Suite struct OldOffsetCommitTests {
    /// OffsetCommit `version` (0 or 1) for `group` committing `offset` to `topic`/0, byte by byte
    /// as the protocol guide lays it out.
    static func frame(version: Int16, group: String, topic: String, offset: Int64, correlationId: Int32) -> [UInt8] {
        var b: [UInt8] = []
        func int16(_ v: Int16) { b += withUnsafeBytes(of: v.bigEndian, Array.init) }
        func int32(_ v: Int32) { b += withUnsafeBytes(of: v.bigEndian, Array.init) }
        func int64(_ v: Int64) { b += withUnsafeBytes(of: v.bigEndian, Array.init) }
        func string(_ s: String) { int16(Int16(s.utf8.count)); b += Array(s.utf8) }
        int16(ApiKey.offsetCommit.rawValue); int16(version); int32(correlationId); string("sarama")
        string(group)
        if version == 1 { int32(-1); string("") }       // generation, member: an admin commit
        int32(1); string(topic)                          // one topic
        int32(1); int32(0); int64(offset)                // one partition: index, offset
        if version == 1 { int64(1_700_000_000_000) }     // v1's commit timestamp
        string("meta")
        return KafkaFrameDecoder.frame(b)
    }

    @Test func versionsZeroAndOneAreAnsweredAndStored() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            try f.engine.createTopic("t", .init(partitions: 1))
            let client = try await RawKafkaSocket.connect(port: port)
            defer { client.close() }
            for version: Int16 in [0, 1] {
                let group = "old-v\(version)"
                _ = try await client.send(Self.frame(version: version, group: group, topic: "t", offset: 5 + Int64(version), correlationId: 40 + Int32(version)))
                let payload = try #require(try await client.receiveFrame(), "v\(version): the connection was closed")
                let (id, body) = try KafkaResponse.decode(payload, apiKey: .offsetCommit, version: version)
                #expect(id == 40 + Int32(version))
                guard case .offsetCommit(let r) = body else { Issue.record("not an OffsetCommit answer"); return }
                #expect(r.topics.map(\.name) == ["t"] && r.topics.first?.partitions.map(\.errorCode) == [KafkaError.none], "v\(version)")
                let stored = await f.engine.coordinator.fetchOffsets(groupId: group, partitions: [TopicPartition("t", 0)])
                #expect(stored[TopicPartition("t", 0)]?.offset == 5 + Int64(version), "v\(version)")
                #expect(stored[TopicPartition("t", 0)]?.metadata == "meta")
            }
            // ApiVersions advertises them, so clients that negotiate pick them as well.
            guard case .apiVersions(let versions) = try await client.roundTrip(ListenerLimitsTests.apiVersions, version: 0, correlationId: 50) else {
                Issue.record("not an ApiVersions answer")
                return
            }
            #expect(versions.apiKeys.first { $0.apiKey == ApiKey.offsetCommit.rawValue }?.minVersion == 0)
        }
    }
}
