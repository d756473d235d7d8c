import WharfCore

/// KIP-848 consumer-group state as Kafka's group coordinator writes it to `__consumer_offsets`
/// (the `ConsumerGroup*` record types of Kafka's group-coordinator module), so members, epochs
/// and assignments survive a restart the way committed offsets do.
///
/// Keys are non-flexible: `i16 version, string group_id` (3, 4, 6), plus `string member_id`
/// (5, 7, 8). Values are flexible v0 (compact strings and arrays, a tagged-field section after
/// each struct); partitions are named by topic id, as Kafka names them, so partitions of a topic
/// deleted and created again do not come back. A nil payload is the key's tombstone.
///
/// - 3 `ConsumerGroupMetadata`: `i32 epoch` (the group epoch)
/// - 4 `ConsumerGroupPartitionMetadata`: `[uuid topic_id, string topic_name, i32 num_partitions,
///   [] partition_metadata (racks, written empty)]`: the subscribed topics' partition counts
/// - 5 `ConsumerGroupMemberMetadata`: `nullable string instance_id, nullable string rack_id,
///   string client_id, string client_host, []string subscribed_topic_names, nullable string
///   subscribed_topic_regex, nullable string server_assignor, i32 rebalance_timeout_ms`
/// - 6 `ConsumerGroupTargetAssignmentMetadata`: `i32 assignment_epoch`
/// - 7 `ConsumerGroupTargetAssignmentMember`: `[uuid topic_id, []i32 partitions]`
/// - 8 `ConsumerGroupCurrentMemberAssignment`: `i32 member_epoch, i32 previous_member_epoch,
///   i8 state, [topic partitions] assigned, [topic partitions] pending_revocation`
///
/// Value versions newer than 0 are read as far as v0 goes (Kafka only adds fields at the end or
/// as tagged fields); anything after that is ignored.
public enum ConsumerGroupRecord: Sendable, Equatable {
    case groupEpoch(group: String, epoch: Int32?)
    case subscribedTopics(group: String, [SubscribedTopic]?)
    case member(group: String, memberId: String, MemberSubscription?)
    case targetEpoch(group: String, epoch: Int32?)
    case targetMember(group: String, memberId: String, [TopicIdPartitions]?)
    case currentAssignment(group: String, memberId: String, MemberAssignment?)

    /// A topic id (KIP-516) as two big-endian halves.
    public struct TopicId: Sendable, Hashable {
        public var high: UInt64
        public var low: UInt64

        public init(high: UInt64, low: UInt64) {
            self.high = high
            self.low = low
        }
    }

    public struct TopicIdPartitions: Sendable, Equatable {
        public var topicId: TopicId
        public var partitions: [Int32]
    }

    public struct SubscribedTopic: Sendable, Equatable {
        public var topicId: TopicId
        public var name: String
        public var partitions: Int32
    }

    public struct MemberSubscription: Sendable, Equatable {
        public var instanceId: String?
        public var rackId: String?
        public var clientId: String
        public var clientHost: String
        public var subscribedTopicNames: [String]
        public var subscribedTopicRegex: String?
        public var serverAssignor: String?
        public var rebalanceTimeoutMs: Int32
    }

    public struct MemberAssignment: Sendable, Equatable {
        public var memberEpoch: Int32
        public var previousMemberEpoch: Int32
        /// Kafka's `MemberState` byte: 1 stable, 2 unrevoked partitions, 3 unreleased partitions.
        public var state: Int8
        public var assigned: [TopicIdPartitions]
        public var pendingRevocation: [TopicIdPartitions]
    }

    public var group: String {
        switch self {
        case .groupEpoch(let g, _), .subscribedTopics(let g, _), .member(let g, _, _), .targetEpoch(let g, _),
             .targetMember(let g, _, _), .currentAssignment(let g, _, _):
            g
        }
    }

    var keyVersion: Int16 {
        switch self {
        case .groupEpoch: 3
        case .subscribedTopics: 4
        case .member: 5
        case .targetEpoch: 6
        case .targetMember: 7
        case .currentAssignment: 8
        }
    }

    static let keyVersions: ClosedRange<Int16> = 3...8

    func encode() -> Record {
        var key: [UInt8] = []
        key.appendBigEndian(keyVersion)
        key.appendKafkaString(group)
        switch self {
        case .member(_, let m, _), .targetMember(_, let m, _), .currentAssignment(_, let m, _): key.appendKafkaString(m)
        case .groupEpoch, .subscribedTopics, .targetEpoch: break
        }
        return Record(key: key, value: value())
    }

    private func value() -> [UInt8]? {
        var out: [UInt8] = []
        out.appendBigEndian(Int16(0))
        switch self {
        case .groupEpoch(_, let epoch?), .targetEpoch(_, let epoch?):
            out.appendBigEndian(epoch)
        case .subscribedTopics(_, let topics?):
            out.appendCompactCount(topics.count)
            for t in topics {
                out.appendTopicId(t.topicId)
                out.appendCompactString(t.name)
                out.appendBigEndian(t.partitions)
                out.appendCompactCount(0)
                out.append(0)
            }
        case .member(_, _, let s?):
            out.appendCompactString(s.instanceId)
            out.appendCompactString(s.rackId)
            out.appendCompactString(s.clientId)
            out.appendCompactString(s.clientHost)
            out.appendCompactCount(s.subscribedTopicNames.count)
            for name in s.subscribedTopicNames { out.appendCompactString(name) }
            out.appendCompactString(s.subscribedTopicRegex)
            out.appendCompactString(s.serverAssignor)
            out.appendBigEndian(s.rebalanceTimeoutMs)
        case .targetMember(_, _, let partitions?):
            out.appendTopicPartitions(partitions)
        case .currentAssignment(_, _, let a?):
            out.appendBigEndian(a.memberEpoch)
            out.appendBigEndian(a.previousMemberEpoch)
            out.append(UInt8(bitPattern: a.state))
            out.appendTopicPartitions(a.assigned)
            out.appendTopicPartitions(a.pendingRevocation)
        default:
            return nil
        }
        out.append(0)  // no tagged fields
        return out
    }

    /// Decodes the part of a key after its version (`reader` stands after it) and the value.
    static func decode(keyVersion: Int16, key reader: inout ByteReader, value: [UInt8]?) throws(WharfError) -> ConsumerGroupRecord? {
        let group = try reader.readKafkaString()
        let memberId = keyVersion == 5 || keyVersion == 7 || keyVersion == 8 ? try reader.readKafkaString() : ""
        guard let value else {
            switch keyVersion {
            case 3: return .groupEpoch(group: group, epoch: nil)
            case 4: return .subscribedTopics(group: group, nil)
            case 5: return .member(group: group, memberId: memberId, nil)
            case 6: return .targetEpoch(group: group, epoch: nil)
            case 7: return .targetMember(group: group, memberId: memberId, nil)
            case 8: return .currentAssignment(group: group, memberId: memberId, nil)
            default: return nil
            }
        }
        return try withKafkaReader(value) { (r: inout ByteReader) throws(WharfError) -> ConsumerGroupRecord? in
            guard try r.readInt16() >= 0 else { return nil }
            switch keyVersion {
            case 3: return .groupEpoch(group: group, epoch: try r.readInt32())
            case 4:
                // uuid + name + i32 + empty racks array + tags: at least 16+1+4+1+1 bytes.
                let count = try r.readCompactCount(minElementSize: 23)
                var topics: [SubscribedTopic] = []
                for _ in 0..<count {
                    let id = try r.readTopicId()
                    let name = try r.readCompactString()
                    let partitions = try r.readInt32()
                    let racks = try r.readCompactCount(minElementSize: 3)
                    for _ in 0..<racks {
                        _ = try r.readInt32()
                        let rackCount = try r.readCompactCount(minElementSize: 1)
                        for _ in 0..<rackCount { _ = try r.readCompactString() }
                        try r.skipKafkaTaggedFields()
                    }
                    try r.skipKafkaTaggedFields()
                    topics.append(SubscribedTopic(topicId: id, name: name, partitions: partitions))
                }
                return .subscribedTopics(group: group, topics)
            case 5:
                let instanceId = try r.readKafkaCompactNullableString()
                let rackId = try r.readKafkaCompactNullableString()
                let clientId = try r.readCompactString()
                let clientHost = try r.readCompactString()
                let count = try r.readCompactCount(minElementSize: 1)
                var names: [String] = []
                for _ in 0..<count { names.append(try r.readCompactString()) }
                let regex = try r.readKafkaCompactNullableString()
                let assignor = try r.readKafkaCompactNullableString()
                let rebalanceTimeout = try r.readInt32()
                return .member(group: group, memberId: memberId, MemberSubscription(
                    instanceId: instanceId, rackId: rackId, clientId: clientId, clientHost: clientHost,
                    subscribedTopicNames: names, subscribedTopicRegex: regex, serverAssignor: assignor,
                    rebalanceTimeoutMs: rebalanceTimeout))
            case 6: return .targetEpoch(group: group, epoch: try r.readInt32())
            case 7: return .targetMember(group: group, memberId: memberId, try r.readTopicPartitions())
            case 8:
                let epoch = try r.readInt32()
                let previous = try r.readInt32()
                let state = try r.readInt8()
                let assigned = try r.readTopicPartitions()
                let pending = try r.readTopicPartitions()
                return .currentAssignment(group: group, memberId: memberId, MemberAssignment(
                    memberEpoch: epoch, previousMemberEpoch: previous, state: state, assigned: assigned, pendingRevocation: pending))
            default:
                return nil
            }
        }
    }
}

// MARK: flexible-version primitives of these values

extension [UInt8] {
    fileprivate mutating func appendCompactCount(_ count: Int) {
        Varint.appendUnsigned(UInt64(count) + 1, to: &self)
    }

    fileprivate mutating func appendCompactString(_ s: String?) {
        guard let s else { return Varint.appendUnsigned(0, to: &self) }
        let utf8 = Array(s.utf8)
        appendCompactCount(utf8.count)
        append(contentsOf: utf8)
    }

    fileprivate mutating func appendTopicId(_ id: ConsumerGroupRecord.TopicId) {
        appendBigEndian(id.high)
        appendBigEndian(id.low)
    }

    fileprivate mutating func appendTopicPartitions(_ topics: [ConsumerGroupRecord.TopicIdPartitions]) {
        appendCompactCount(topics.count)
        for t in topics {
            appendTopicId(t.topicId)
            appendCompactCount(t.partitions.count)
            for p in t.partitions { appendBigEndian(p) }
            append(0)
        }
    }
}

extension ByteReader {
    /// A compact array count (varint of count + 1; null reads as empty), refused when the
    /// bytes left could not hold that many elements.
    fileprivate mutating func readCompactCount(minElementSize: Int) throws(WharfError) -> Int {
        let countPlusOne = try readUnsignedVarint(maxBytes: 5)
        guard countPlusOne > 0 else { return 0 }
        let count = Int(countPlusOne - 1)
        guard count <= remaining / Swift.max(minElementSize, 1) else {
            throw .malformed("array of \(count) elements cannot fit in \(remaining) bytes")
        }
        return count
    }

    fileprivate mutating func readCompactString() throws(WharfError) -> String {
        guard let s = try readKafkaCompactNullableString() else { throw .malformed("null where a string is required at \(position)") }
        return s
    }

    fileprivate mutating func readTopicId() throws(WharfError) -> ConsumerGroupRecord.TopicId {
        ConsumerGroupRecord.TopicId(high: try readBigEndian(UInt64.self), low: try readBigEndian(UInt64.self))
    }

    fileprivate mutating func readTopicPartitions() throws(WharfError) -> [ConsumerGroupRecord.TopicIdPartitions] {
        // uuid + empty partition array + tags: 18 bytes at least.
        let count = try readCompactCount(minElementSize: 18)
        var out: [ConsumerGroupRecord.TopicIdPartitions] = []
        for _ in 0..<count {
            let id = try readTopicId()
            let n = try readCompactCount(minElementSize: 4)
            var partitions: [Int32] = []
            for _ in 0..<n { partitions.append(try readInt32()) }
            try skipKafkaTaggedFields()
            out.append(.init(topicId: id, partitions: partitions))
        }
        return out
    }
}
