import WharfCore

/// One record of the internal compacted topic `__consumer_offsets`, in Kafka's own layout so
/// tools that consume that topic (Burrow) read Wharf's commits unchanged. All integers are
/// big-endian; `string` is `i16` length + UTF-8; a nil record value is a tombstone.
///
/// Keys (the first `i16` is the key version and says what the record is):
/// - v0/v1 offset commit: `i16 version, string group, string topic, i32 partition` (Wharf writes v1)
/// - v2 group metadata: `i16 2, string group`
/// - v3-v8 KIP-848 consumer-group state: see `ConsumerGroupRecord`
/// - any other version (Kafka's share-group and later records): not ours, `decode` returns nil
///
/// Offset-commit values (Wharf writes v3):
/// - v0, v2: `i16 v, i64 offset, string metadata, i64 commit_timestamp`
/// - v1: v0 + `i64 expire_timestamp`
/// - v3: `i16 3, i64 offset, i32 leader_epoch, string metadata, i64 commit_timestamp`
/// - v4 (flexible): v3 with a compact string metadata, then tagged fields
///
/// Group-metadata values: see `ConsumerOffsetsRecord+GroupMetadata.swift`.
public enum ConsumerOffsetsRecord: Sendable, Equatable {
    case offsetCommit(group: String, TopicPartition, CommittedOffset)
    case offsetTombstone(group: String, TopicPartition)
    case groupMetadata(group: String, GroupMetadataSnapshot)
    case groupTombstone(group: String)
    /// KIP-848 consumer-group state (key versions 3-8).
    case consumerGroup(ConsumerGroupRecord)

    /// The key version Wharf writes for offset commits.
    public static let offsetKeyVersion: Int16 = 1
    /// The value version Wharf writes for offset commits.
    public static let offsetValueVersion: Int16 = 3
    /// The key version of group-metadata records.
    public static let groupKeyVersion: Int16 = 2
    /// The value version Wharf writes for group metadata.
    public static let groupValueVersion: Int16 = 3

    public var group: String {
        switch self {
        case .offsetCommit(let g, _, _), .offsetTombstone(let g, _), .groupMetadata(let g, _), .groupTombstone(let g): g
        case .consumerGroup(let record): record.group
        }
    }

    /// The record to append to `__consumer_offsets`. Commits carry their commit time as the
    /// record timestamp, as Kafka's do; other records leave it to the log (nil = now).
    public func encode() -> Record {
        switch self {
        case .offsetCommit(let group, let tp, let committed):
            Record(key: Self.offsetKey(group: group, tp), value: Self.offsetValue(committed), timestamp: committed.commitTimestamp)
        case .offsetTombstone(let group, let tp):
            Record(key: Self.offsetKey(group: group, tp), value: nil)
        case .groupMetadata(let group, let snapshot):
            Record(key: Self.groupKey(group), value: Self.groupValue(snapshot))
        case .groupTombstone(let group):
            Record(key: Self.groupKey(group), value: nil)
        case .consumerGroup(let record):
            record.encode()
        }
    }

    /// Decodes a record of `__consumer_offsets`. Returns nil for key versions that are not
    /// offset commits or group metadata, and for value versions newer than Wharf knows, so a
    /// reader can skip them; throws `.malformed` for truncated or inconsistent bytes.
    public static func decode(key: [UInt8], value: [UInt8]?) throws(WharfError) -> ConsumerOffsetsRecord? {
        try withKafkaReader(key) { (reader: inout ByteReader) throws(WharfError) -> ConsumerOffsetsRecord? in
            let version = try reader.readInt16()
            switch version {
            case 0, 1:
                let group = try reader.readKafkaString()
                let topic = try reader.readKafkaString()
                let partition = try reader.readInt32()
                let tp = TopicPartition(topic, partition)
                guard let value else { return .offsetTombstone(group: group, tp) }
                return try decodeOffsetValue(value).map { .offsetCommit(group: group, tp, $0) }
            case 2:
                let group = try reader.readKafkaString()
                guard let value else { return .groupTombstone(group: group) }
                return try decodeGroupValue(value).map { .groupMetadata(group: group, $0) }
            case ConsumerGroupRecord.keyVersions:
                return try ConsumerGroupRecord.decode(keyVersion: version, key: &reader, value: value).map { .consumerGroup($0) }
            default:
                return nil
            }
        }
    }

    /// Convenience for records read back from the log.
    public static func decode(_ record: StoredRecord) throws(WharfError) -> ConsumerOffsetsRecord? {
        guard let key = record.key else { throw .malformed("__consumer_offsets record at offset \(record.offset) has no key") }
        return try decode(key: key, value: record.value)
    }

    // MARK: offset commits

    static func offsetKey(group: String, _ tp: TopicPartition) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBigEndian(offsetKeyVersion)
        out.appendKafkaString(group)
        out.appendKafkaString(tp.topic)
        out.appendBigEndian(tp.partition)
        return out
    }

    static func offsetValue(_ c: CommittedOffset) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBigEndian(offsetValueVersion)
        out.appendBigEndian(c.offset)
        out.appendBigEndian(c.leaderEpoch)
        out.appendKafkaString(c.metadata)
        out.appendBigEndian(c.commitTimestamp)
        return out
    }

    static func decodeOffsetValue(_ value: [UInt8]) throws(WharfError) -> CommittedOffset? {
        try withKafkaReader(value) { (r: inout ByteReader) throws(WharfError) -> CommittedOffset? in
            let version = try r.readInt16()
            switch version {
            case 0, 1, 2:
                let offset = try r.readInt64()
                let metadata = try r.readKafkaString()
                let timestamp = try r.readInt64()
                if version == 1 { _ = try r.readInt64() }  // expire timestamp, unused since Kafka 2.1
                return CommittedOffset(offset: offset, metadata: metadata, commitTimestamp: timestamp)
            case 3:
                let offset = try r.readInt64()
                let epoch = try r.readInt32()
                let metadata = try r.readKafkaString()
                let timestamp = try r.readInt64()
                return CommittedOffset(offset: offset, metadata: metadata, commitTimestamp: timestamp, leaderEpoch: epoch)
            case 4:
                let offset = try r.readInt64()
                let epoch = try r.readInt32()
                guard let metadata = try r.readKafkaCompactNullableString() else { throw .malformed("null offset metadata") }
                let timestamp = try r.readInt64()
                try r.skipKafkaTaggedFields()
                return CommittedOffset(offset: offset, metadata: metadata, commitTimestamp: timestamp, leaderEpoch: epoch)
            default:
                return nil
            }
        }
    }
}

/// The `__consumer_offsets` codec under the name the engine plan uses; it forwards to
/// `ConsumerOffsetsRecord`, which holds the layouts.
public enum ConsumerOffsetsCodec {
    /// Kafka's internal topic name, which tools such as Burrow consume.
    public static let topic = "__consumer_offsets"

    public static func encode(_ record: ConsumerOffsetsRecord) -> Record { record.encode() }

    public static func decode(key: [UInt8], value: [UInt8]?) throws(WharfError) -> ConsumerOffsetsRecord? {
        try ConsumerOffsetsRecord.decode(key: key, value: value)
    }

    public static func decode(_ record: StoredRecord) throws(WharfError) -> ConsumerOffsetsRecord? {
        try ConsumerOffsetsRecord.decode(record)
    }
}
