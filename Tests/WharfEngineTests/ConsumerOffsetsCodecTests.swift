import Testing
import WharfCore
@testable import WharfEngine

@Suite struct ConsumerOffsetsCodecTests {
    let tp = TopicPartition("t", 1)

    @Test func offsetCommitKeyV1AndValueV3AreByteExact() throws {
        let commit = CommittedOffset(offset: 42, metadata: "m", commitTimestamp: 1000)
        let record = ConsumerOffsetsRecord.offsetCommit(group: "g", tp, commit).encode()
        #expect(record.key == [0x00, 0x01, 0x00, 0x01, 0x67, 0x00, 0x01, 0x74, 0x00, 0x00, 0x00, 0x01])
        #expect(record.value == [
            0x00, 0x03,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,
            0xFF, 0xFF, 0xFF, 0xFF,
            0x00, 0x01, 0x6D,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8,
        ])
        #expect(record.timestamp == 1000)
        #expect(try ConsumerOffsetsRecord.decode(key: record.key!, value: record.value) == .offsetCommit(group: "g", tp, commit))
        #expect(ConsumerOffsetsCodec.encode(.offsetCommit(group: "g", tp, commit)) == record)
        let stored = StoredRecord(offset: 0, timestamp: 1000, key: record.key, value: record.value, headers: [])
        #expect(try ConsumerOffsetsCodec.decode(stored) == .offsetCommit(group: "g", tp, commit))
        #expect(ConsumerOffsetsCodec.topic == "__consumer_offsets")
    }

    @Test func groupMetadataKeyV2AndValueV3AreByteExact() throws {
        let snapshot = GroupMetadataSnapshot(
            protocolType: "consumer", generationId: 5, protocolName: "range", leaderId: "a", currentStateTimestamp: 7,
            members: [.init(memberId: "a", clientId: "c", clientHost: "/h", rebalanceTimeoutMs: 300, sessionTimeoutMs: 10,
                            subscription: [1, 2], assignment: [3])])
        let record = ConsumerOffsetsRecord.groupMetadata(group: "g", snapshot).encode()
        #expect(record.key == [0x00, 0x02, 0x00, 0x01, 0x67])
        var expected: [UInt8] = [0x00, 0x03, 0x00, 0x08] + Array("consumer".utf8)
        expected += [0x00, 0x00, 0x00, 0x05, 0x00, 0x05] + Array("range".utf8) + [0x00, 0x01, 0x61]
        expected += [0, 0, 0, 0, 0, 0, 0, 7]                  // current_state_timestamp
        expected += [0x00, 0x00, 0x00, 0x01]                  // one member
        expected += [0x00, 0x01, 0x61, 0xFF, 0xFF]            // member_id "a", group_instance_id null
        expected += [0x00, 0x01, 0x63, 0x00, 0x02, 0x2F, 0x68] // client_id "c", client_host "/h"
        expected += [0x00, 0x00, 0x01, 0x2C, 0x00, 0x00, 0x00, 0x0A] // rebalance 300, session 10
        expected += [0x00, 0x00, 0x00, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x03]
        #expect(record.value == expected)
        #expect(try ConsumerOffsetsRecord.decode(key: record.key!, value: record.value) == .groupMetadata(group: "g", snapshot))
    }

    @Test func emptyGroupMetadataWithNullProtocolAndLeaderRoundTrips() throws {
        let snapshot = GroupMetadataSnapshot(protocolType: "consumer", generationId: 3, protocolName: nil, leaderId: nil, currentStateTimestamp: 99, members: [])
        let record = ConsumerOffsetsRecord.groupMetadata(group: "grp", snapshot).encode()
        #expect(Array(record.value![16...19]) == [0xFF, 0xFF, 0xFF, 0xFF]) // null protocol, null leader
        #expect(try ConsumerOffsetsRecord.decode(key: record.key!, value: record.value) == .groupMetadata(group: "grp", snapshot))
    }

    @Test func tombstonesHaveNilValuesAndDecode() throws {
        let offsetTomb = ConsumerOffsetsRecord.offsetTombstone(group: "g", tp).encode()
        #expect(offsetTomb.value == nil)
        #expect(try ConsumerOffsetsRecord.decode(key: offsetTomb.key!, value: nil) == .offsetTombstone(group: "g", tp))
        let groupTomb = ConsumerOffsetsRecord.groupTombstone(group: "g").encode()
        #expect(groupTomb.key == [0x00, 0x02, 0x00, 0x01, 0x67])
        #expect(groupTomb.value == nil)
        #expect(try ConsumerOffsetsRecord.decode(key: groupTomb.key!, value: nil) == .groupTombstone(group: "g"))
    }

    @Test func decodesOlderOffsetValueVersionsAndKeyV0() throws {
        let keyV0: [UInt8] = [0x00, 0x00, 0x00, 0x01, 0x67, 0x00, 0x01, 0x74, 0x00, 0x00, 0x00, 0x01]
        let v0: [UInt8] = [0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x2A, 0x00, 0x02, 0x6D, 0x64, 0, 0, 0, 0, 0, 0, 0x03, 0xE8]
        #expect(try ConsumerOffsetsRecord.decode(key: keyV0, value: v0)
            == .offsetCommit(group: "g", tp, CommittedOffset(offset: 42, metadata: "md", commitTimestamp: 1000)))
        // v1 = v0 + expire timestamp
        let v1: [UInt8] = [0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x07, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0, 0, 0, 0, 0, 0, 0x07, 0xD0]
        #expect(try ConsumerOffsetsRecord.decode(key: keyV0, value: v1)
            == .offsetCommit(group: "g", tp, CommittedOffset(offset: 7, metadata: "", commitTimestamp: 1000)))
        // v4 (flexible): compact string "m" (length+1 = 2), then an empty tagged-field section
        let v4: [UInt8] = [0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0x09, 0x00, 0x00, 0x00, 0x05, 0x02, 0x6D, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0x00]
        #expect(try ConsumerOffsetsRecord.decode(key: keyV0, value: v4)
            == .offsetCommit(group: "g", tp, CommittedOffset(offset: 9, metadata: "m", commitTimestamp: 1000, leaderEpoch: 5)))
    }

    @Test func decodesGroupMetadataValueV0WithoutNewerFields() throws {
        var v0: [UInt8] = [0x00, 0x00, 0x00, 0x08] + Array("consumer".utf8) + [0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF]
        v0 += [0, 0, 0, 1, 0x00, 0x01, 0x61, 0x00, 0x01, 0x63, 0x00, 0x00, 0, 0, 0x27, 0x10, 0, 0, 0, 0, 0, 0, 0, 0]
        let decoded = try ConsumerOffsetsRecord.decode(key: [0x00, 0x02, 0x00, 0x01, 0x67], value: v0)
        #expect(decoded == .groupMetadata(group: "g", GroupMetadataSnapshot(
            protocolType: "consumer", generationId: 2, protocolName: nil, leaderId: nil, currentStateTimestamp: -1,
            members: [.init(memberId: "a", clientId: "c", clientHost: "", rebalanceTimeoutMs: -1, sessionTimeoutMs: 10_000, subscription: [], assignment: [])])))
    }

    @Test func unknownKeyAndValueVersionsAreSkipped() throws {
        // Key v9+ are records of Kafka's newer coordinator (share groups etc.).
        #expect(try ConsumerOffsetsRecord.decode(key: [0x00, 0x09, 0x00, 0x01, 0x67], value: [0x00, 0x00]) == nil)
        #expect(try ConsumerOffsetsRecord.decode(key: [0x00, 0x0B, 0x00, 0x01, 0x67], value: nil) == nil)
        let key = ConsumerOffsetsRecord.offsetKey(group: "g", tp)
        #expect(try ConsumerOffsetsRecord.decode(key: key, value: [0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0]) == nil)
        #expect(try ConsumerOffsetsRecord.decode(key: [0x00, 0x02, 0x00, 0x01, 0x67], value: [0x00, 0x04, 0x00]) == nil)
    }

    @Test func truncatedInputThrowsMalformed() {
        let record = ConsumerOffsetsRecord.offsetCommit(group: "g", tp, CommittedOffset(offset: 1, commitTimestamp: 2)).encode()
        for cut in 0..<record.value!.count {
            #expect(throws: WharfError.self) { try ConsumerOffsetsRecord.decode(key: record.key!, value: Array(record.value![..<cut])) }
        }
        #expect(throws: WharfError.self) { try ConsumerOffsetsRecord.decode(key: Array(record.key!.dropLast()), value: record.value) }
        // A member count that cannot fit the bytes left is refused before allocating.
        var huge: [UInt8] = [0x00, 0x03, 0x00, 0x00, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0]
        huge += [0x7F, 0xFF, 0xFF, 0xFF]
        #expect(throws: WharfError.self) { try ConsumerOffsetsRecord.decode(key: [0x00, 0x02, 0x00, 0x01, 0x67], value: huge) }
    }

    /// Every KIP-848 record kind (key versions 3-8) with values and as a tombstone.
    static let consumerGroupRecords: [ConsumerGroupRecord] = {
        let id = ConsumerGroupRecord.TopicId(high: 0x0102_0304_0506_0708, low: 0x1112_1314_1516_1718)
        let parts = [ConsumerGroupRecord.TopicIdPartitions(topicId: id, partitions: [0, 3])]
        return [
            .groupEpoch(group: "g", epoch: 7), .groupEpoch(group: "g", epoch: nil),
            .subscribedTopics(group: "g", [.init(topicId: id, name: "t", partitions: 4)]), .subscribedTopics(group: "g", nil),
            .member(group: "g", memberId: "m", .init(
                instanceId: "i", rackId: nil, clientId: "c", clientHost: "/h", subscribedTopicNames: ["t", "u"],
                subscribedTopicRegex: nil, serverAssignor: "uniform", rebalanceTimeoutMs: 30_000)),
            .member(group: "g", memberId: "m", nil),
            .targetEpoch(group: "g", epoch: 6), .targetEpoch(group: "g", epoch: nil),
            .targetMember(group: "g", memberId: "m", parts), .targetMember(group: "g", memberId: "m", nil),
            .currentAssignment(group: "g", memberId: "m", .init(memberEpoch: 6, previousMemberEpoch: 5, state: 2, assigned: parts,
                                                                pendingRevocation: [])),
            .currentAssignment(group: "g", memberId: "m", nil),
        ]
    }()

    @Test func consumerGroupRecordsUseKafkasKeyVersionsAndRoundTrip() throws {
        for r in Self.consumerGroupRecords {
            let encoded = ConsumerOffsetsRecord.consumerGroup(r).encode()
            #expect(try ConsumerOffsetsRecord.decode(key: encoded.key!, value: encoded.value) == .consumerGroup(r))
        }
        // ConsumerGroupMetadata: key `i16 3, string group`; value `i16 0, i32 epoch, no tagged fields`.
        let epoch = ConsumerOffsetsRecord.consumerGroup(.groupEpoch(group: "g", epoch: 7)).encode()
        #expect(epoch.key == [0x00, 0x03, 0x00, 0x01, 0x67])
        #expect(epoch.value == [0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00])
        // ConsumerGroupTargetAssignmentMember: key `i16 7, string group, string member`; the
        // value names partitions by topic id in compact arrays.
        let target = ConsumerOffsetsRecord.consumerGroup(Self.consumerGroupRecords[8]).encode()
        #expect(target.key == [0x00, 0x07, 0x00, 0x01, 0x67, 0x00, 0x01, 0x6D])
        #expect(target.value == [0x00, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
                                 0x03, 0, 0, 0, 0, 0, 0, 0, 3, 0x00, 0x00])
    }

    @Test func truncatedOrHostileConsumerGroupRecordsThrowMalformed() {
        for r in Self.consumerGroupRecords {
            let encoded = ConsumerOffsetsRecord.consumerGroup(r).encode()
            guard let value = encoded.value else { continue }
            // Cutting the trailing tagged-field byte still leaves a whole v0 value.
            for cut in 0..<(value.count - 1) {
                #expect(throws: WharfError.self) { try ConsumerOffsetsRecord.decode(key: encoded.key!, value: Array(value[..<cut])) }
            }
            #expect(throws: WharfError.self) { try ConsumerOffsetsRecord.decode(key: Array(encoded.key!.dropLast()), value: value) }
        }
        // A compact array count far beyond the bytes present is refused before reading on.
        let hostile: [UInt8] = [0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00]
        #expect(throws: WharfError.self) {
            try ConsumerOffsetsRecord.decode(key: [0x00, 0x07, 0x00, 0x01, 0x67, 0x00, 0x01, 0x6D], value: hostile)
        }
    }
}
