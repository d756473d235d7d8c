import KafkaProtocol

/// The versions this client speaks per API, and the choice per broker: the highest version
/// both sides have (`reference/kafka-protocol.md` §2, §7). Kafka 4.x raised many minima
/// (Fetch 4, ListOffsets 1, OffsetCommit 2, OffsetFetch 1, CreateTopics 2, DeleteTopics 1), so
/// our ranges start no higher than those and reach as far as the generated codec goes.
public struct ApiVersionTable: Sendable, Equatable {
    public var versions: [ApiKey: Int16]
    /// The broker's advertised ranges (for messages that name them).
    public var brokerRanges: [Int16: ClosedRange<Int16>]

    /// What this client can send. Caps: Fetch 12 and Metadata 12 (Fetch 13+ addresses topics by
    /// id only), Produce from 3 (RecordBatch v2), ListOffsets from 1 (v0 is the old offsets list).
    public static let clientRanges: [ApiKey: ClosedRange<Int16>] = [
        .apiVersions: 0...3,
        .metadata: 1...12,
        .produce: 3...11,
        .fetch: 4...12,
        .listOffsets: 1...10,
        .findCoordinator: 0...6,
        .offsetCommit: 2...9,
        .offsetFetch: 1...9,
        .listGroups: 0...5,
        .describeGroups: 0...5,
        .consumerGroupDescribe: 0...0,  // KIP-848 groups (Kafka 4), which DescribeGroups reports as Dead
        .createTopics: 2...7,
        .deleteTopics: 1...6,
        .createPartitions: 0...3,  // `wharf topic add-partitions --bootstrap`
        .deleteRecords: 0...2,
        .deleteGroups: 0...2,
        .describeConfigs: 1...4,  // Kafka 4 removed v0; the CLI reads retention.ms/.bytes with it
        .describeLogDirs: 1...4,  // partition sizes; Kafka 4 removed v0
        .initProducerId: 0...5,  // the idempotent producer of a dead-letter requeue
        // A classic group member (`consume --group --bootstrap`); JoinGroup v0 has no rebalance timeout.
        .joinGroup: 1...9,
        .syncGroup: 0...5,
        .heartbeat: 0...4,
        .leaveGroup: 0...5,
        // SASL login (`security.protocol` SASL_*): SaslHandshake v1 frames tokens in SaslAuthenticate.
        .saslHandshake: 1...1,
        .saslAuthenticate: 0...2,
        // `wharf acl --bootstrap`; v1+ carry the pattern type (PREFIXED), Kafka 4 removed v0.
        .describeAcls: 1...3,
        .createAcls: 1...3,
        .deleteAcls: 1...3,
    ]

    /// Picks max(common) per API the broker advertises; APIs without overlap are left out and
    /// `version(for:)` explains why.
    public static func negotiate(broker: [ApiVersionsResponse.ApiVersion],
                                 client: [ApiKey: ClosedRange<Int16>] = clientRanges) -> ApiVersionTable {
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for v in broker where v.minVersion <= v.maxVersion { ranges[v.apiKey] = v.minVersion...v.maxVersion }
        var chosen: [ApiKey: Int16] = [:]
        for (key, ours) in client {
            guard let theirs = ranges[key.rawValue] else { continue }
            let high = min(ours.upperBound, theirs.upperBound)
            if high >= max(ours.lowerBound, theirs.lowerBound) { chosen[key] = high }
        }
        return ApiVersionTable(versions: chosen, brokerRanges: ranges)
    }

    /// The version to send, or a clear refusal: "broker does not support DeleteRecords".
    public func version(for key: ApiKey, client: [ApiKey: ClosedRange<Int16>] = clientRanges) throws(KafkaClientError) -> Int16 {
        if let v = versions[key] { return v }
        guard let theirs = brokerRanges[key.rawValue] else { throw .unsupported("broker does not support \(key.displayName)") }
        let ours = client[key].map { "\($0.lowerBound)-\($0.upperBound)" } ?? "none"
        throw .unsupported("broker does not support \(key.displayName) at a version this client speaks "
                           + "(broker \(theirs.lowerBound)-\(theirs.upperBound), client \(ours))")
    }
}
