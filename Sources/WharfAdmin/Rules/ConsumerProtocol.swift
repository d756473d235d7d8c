import WharfCore

/// The "consumer" embedded protocol: what Kafka consumers put in JoinGroup protocol metadata
/// (`ConsumerProtocolSubscription.json`) and what the leader hands out through SyncGroup
/// (`ConsumerProtocolAssignment.json`). The coordinator treats both as opaque bytes; these
/// codecs serve the leader's assignor, describe output and tests.
///
/// Subscription v0: `i16 version, i32 n × string topic, bytes user_data (i32 length, -1 null)`.
/// Assignment v0: `i16 version, i32 n × {string topic, i32 m × i32 partition}, bytes user_data`.
/// Versions 1+ only append fields (owned partitions, generation, rack), so decoding reads the
/// v0 prefix of any version and ignores what follows.
public enum ConsumerProtocol {
    /// The protocol type consumers send in JoinGroup.
    public static let protocolType = "consumer"
}

public struct ConsumerSubscription: Sendable, Equatable {
    public var topics: [String]
    public var userData: [UInt8]?

    public init(topics: [String], userData: [UInt8]? = nil) {
        self.topics = topics
        self.userData = userData
    }

    /// Encodes as `version` (default 0). Only the v0 fields are written, which is a valid
    /// prefix of every later version but not a complete v1+ message; use 0 unless testing.
    public func encode(version: Int16 = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBigEndian(version)
        out.appendKafkaArrayCount(topics.count)
        for topic in topics { out.appendKafkaString(topic) }
        out.appendKafkaNullableBytes(userData)
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(WharfError) -> ConsumerSubscription {
        try withKafkaReader(bytes) { (r: inout ByteReader) throws(WharfError) -> ConsumerSubscription in
            let version = try r.readInt16()
            guard version >= 0 else { throw .malformed("consumer subscription version \(version)") }
            let count = try r.readKafkaArrayCount(minElementSize: 2)
            var topics: [String] = []
            topics.reserveCapacity(count)
            for _ in 0..<count { topics.append(try r.readKafkaString()) }
            // v0 always has user data; tolerate a message cut right after the topics.
            let userData = r.remaining >= 4 ? try r.readKafkaNullableBytes() : nil
            return ConsumerSubscription(topics: topics, userData: userData)
        }
    }
}

public struct ConsumerAssignment: Sendable, Equatable {
    /// Assigned partitions; encoding groups them by topic in order of first appearance.
    public var partitions: [TopicPartition]
    public var userData: [UInt8]?

    public init(partitions: [TopicPartition], userData: [UInt8]? = nil) {
        self.partitions = partitions
        self.userData = userData
    }

    public func encode(version: Int16 = 0) -> [UInt8] {
        var topics: [String] = []
        var byTopic: [String: [Int32]] = [:]
        for tp in partitions {
            if byTopic[tp.topic] == nil { topics.append(tp.topic) }
            byTopic[tp.topic, default: []].append(tp.partition)
        }
        var out: [UInt8] = []
        out.appendBigEndian(version)
        out.appendKafkaArrayCount(topics.count)
        for topic in topics {
            out.appendKafkaString(topic)
            let ps = byTopic[topic] ?? []
            out.appendKafkaArrayCount(ps.count)
            for p in ps { out.appendBigEndian(p) }
        }
        out.appendKafkaNullableBytes(userData)
        return out
    }

    /// Decodes an assignment. An empty byte array (what a member gets when the leader left it
    /// out) decodes as no partitions, as Kafka's consumer treats it.
    public static func decode(_ bytes: [UInt8]) throws(WharfError) -> ConsumerAssignment {
        if bytes.isEmpty { return ConsumerAssignment(partitions: []) }
        return try withKafkaReader(bytes) { (r: inout ByteReader) throws(WharfError) -> ConsumerAssignment in
            let version = try r.readInt16()
            guard version >= 0 else { throw .malformed("consumer assignment version \(version)") }
            let topicCount = try r.readKafkaArrayCount(minElementSize: 6)
            var partitions: [TopicPartition] = []
            for _ in 0..<topicCount {
                let topic = try r.readKafkaString()
                let n = try r.readKafkaArrayCount(minElementSize: 4)
                for _ in 0..<n { partitions.append(TopicPartition(topic, try r.readInt32())) }
            }
            let userData = r.remaining >= 4 ? try r.readKafkaNullableBytes() : nil
            return ConsumerAssignment(partitions: partitions, userData: userData)
        }
    }
}
