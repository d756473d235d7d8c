import WharfCore

/// Topic ids (KIP-516): what tells a topic from a deleted one of the same name. Wharf derives
/// a topic's id from its name and creation time (milliseconds, kept in `topic.json` since the
/// first release), so every topic, old ones included, has a stable id that changes when the
/// topic is deleted and created again, with nothing new to persist.
extension Engine {
    /// The 128-bit id of topic `name`, as two halves: creation time, then CRC-32Cs of the name
    /// forwards and backwards. Never zero, never Kafka's reserved id 1 (the high half is a
    /// positive creation time).
    public func topicId(_ name: String) throws(WharfError) -> (high: UInt64, low: UInt64) {
        Self.topicId(try topic(name).meta)
    }

    static func topicId(_ meta: TopicMetadata) -> (high: UInt64, low: UInt64) {
        let bytes = Array(meta.name.utf8)
        let forwards = UInt64(CRC32C.checksum(bytes)), backwards = UInt64(CRC32C.checksum(bytes.reversed()))
        return (UInt64(max(meta.createdAt, 1)), forwards << 32 | backwards)
    }

    /// The topic with id `id`, if one exists (Metadata v12 and Fetch v13 name topics by id).
    public func topicName(forId id: (high: UInt64, low: UInt64)) -> String? {
        topics.withLock { table in table.values.first { Self.topicId($0.meta) == id }?.meta.name }
    }
}
