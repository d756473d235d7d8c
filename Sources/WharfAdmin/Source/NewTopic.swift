/// What creating a topic asks for: a partition count and, when given, retention and segment size
/// (nil: the source's default).
public struct NewTopic: Sendable, Equatable {
    public var partitions: Int32
    public var retentionMs: Int64?
    public var retentionBytes: Int64?
    public var segmentBytes: Int?

    public init(partitions: Int32, retentionMs: Int64? = nil, retentionBytes: Int64? = nil, segmentBytes: Int? = nil) {
        self.partitions = partitions
        self.retentionMs = retentionMs
        self.retentionBytes = retentionBytes
        self.segmentBytes = segmentBytes
    }

    /// The settings given, under Kafka's config names (CreateTopics' configs).
    public var kafkaConfigs: [String: String] {
        var configs: [String: String] = [:]
        if let retentionMs { configs["retention.ms"] = "\(retentionMs)" }
        if let retentionBytes { configs["retention.bytes"] = "\(retentionBytes)" }
        if let segmentBytes { configs["segment.bytes"] = "\(segmentBytes)" }
        return configs
    }
}
