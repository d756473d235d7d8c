import WharfCore

/// A consumer group as ListGroups/DescribeGroups report it.
public struct GroupDescription: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var memberId: String
        public var clientId: String
        public var host: String
        /// Decoded from the consumer protocol's assignment (empty for other protocols).
        public var assignment: [TopicPartition]
    }

    public var groupId: String
    /// "Stable", "Empty", "PreparingRebalance", "CompletingRebalance", "Dead".
    public var state: String
    public var protocolType: String
    public var members: [Member]
}

public struct ListedGroup: Sendable, Equatable {
    public var groupId: String
    /// From ListGroups v4 (empty before). For a KIP-848 ("consumer" type) group this is the only
    /// state a classic DescribeGroups does not hide.
    public var state: String
    public var protocolType: String
    /// "classic" or "consumer" from ListGroups v5 (empty before).
    public var groupType: String = ""

    public init(groupId: String, state: String, protocolType: String, groupType: String = "") {
        self.groupId = groupId
        self.state = state
        self.protocolType = protocolType
        self.groupType = groupType
    }
}

/// The `ConsumerProtocolAssignment` bytes in a member's assignment (all versions share the
/// prefix: version int16, then topics as [name string16, partitions int32 array]).
enum ConsumerAssignment {
    static func decode(_ bytes: [UInt8]) -> [TopicPartition] {
        guard bytes.count >= 6 else { return [] }
        var out: [TopicPartition] = []
        var i = 2
        func int16() -> Int? {
            guard i + 2 <= bytes.count else { return nil }
            defer { i += 2 }
            return Int(Int16(bitPattern: UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])))
        }
        func int32() -> Int32? {
            guard i + 4 <= bytes.count else { return nil }
            defer { i += 4 }
            return Int32(bitPattern: UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3]))
        }
        guard let topics = int32(), topics >= 0 else { return [] }
        for _ in 0..<topics {
            guard let n = int16(), n >= 0, i + n <= bytes.count else { return out }
            let name = String(decoding: bytes[i..<(i + n)], as: UTF8.self)
            i += n
            guard let count = int32(), count >= 0 else { return out }
            for _ in 0..<count {
                guard let p = int32() else { return out }
                out.append(TopicPartition(name, p))
            }
        }
        return out
    }
}
