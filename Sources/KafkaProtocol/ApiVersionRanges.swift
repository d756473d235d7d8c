import WharfCore

/// The API versions a broker accepts and advertises in its ApiVersions response.
///
/// `firstVersion` is the Kafka-2.1-level set of `reference/kafka-protocol.md` section 11, with
/// the low minima old librdkafka needs to enable its features (section 2): Produce 0 (gzip,
/// snappy, lz4 are off without it), FindCoordinator/JoinGroup/SyncGroup/Heartbeat/LeaveGroup/
/// InitProducerId/ApiVersions 0, OffsetCommit 2, OffsetFetch 1, ListOffsets 0.
/// OffsetCommit 0-1 as well: sarama's default config (`V1_0_0_0` before 1.43) commits with v1,
/// and Kafka 3.x still serves both (v1's per-partition timestamp is ignored, as Kafka does
/// when it stores offsets in its log; v0 carries no generation, so it is an admin commit).
/// Produce 0-2 are advertised only for that reason: they carry legacy MessageSets, and the
/// server should refuse them (decoding them works; serving them is not planned).
/// Above that level for batching: OffsetFetch up to 9 (v8+ fetches many groups in one request)
/// and FindCoordinator up to 4 (many keys in one request), so an operator's client refreshing
/// hundreds of groups pays one round trip, not one per group (issue 7).
public struct ApiVersionRanges: Sendable, Equatable {
    public var ranges: [ApiKey: ClosedRange<Int16>]

    public init(_ ranges: [ApiKey: ClosedRange<Int16>]) {
        self.ranges = ranges
    }

    public static let firstVersion = ApiVersionRanges([
        .apiVersions: 0...3,
        .metadata: 0...12,
        .produce: 0...8,
        .fetch: 4...13,
        .listOffsets: 0...7,
        .findCoordinator: 0...4,
        .joinGroup: 0...5,
        .syncGroup: 0...3,
        .heartbeat: 0...3,
        .leaveGroup: 0...3,
        .offsetCommit: 0...9,
        .offsetFetch: 1...9,
        .listGroups: 0...5,
        .describeGroups: 0...4,
        .createTopics: 0...4,
        .deleteTopics: 0...6,
        .deleteRecords: 0...1,
        .initProducerId: 0...4,
        .offsetForLeaderEpoch: 0...3,
        .describeConfigs: 0...3,
        .describeLogDirs: 0...4,
        .deleteGroups: 0...1,
        // SASL (advertised on every listener, as Kafka does; a plaintext one refuses the handshake).
        .saslHandshake: 0...1,
        .saslAuthenticate: 0...2,
        // KIP-554: admin clients manage SCRAM users.
        .describeUserScramCredentials: 0...0,
        .alterUserScramCredentials: 0...0,
        // ACLs over the wire (answered SECURITY_DISABLED without --authorize, as Kafka does).
        .describeAcls: 0...3,
        .createAcls: 0...3,
        .deleteAcls: 0...3,
        // Kafka 3.x admin APIs (issue 19; COMPATIBILITY.md has the matrix).
        .createPartitions: 0...3,
        .alterConfigs: 0...2,
        .incrementalAlterConfigs: 0...1,
        .describeCluster: 0...1,
        .offsetDelete: 0...0,
        .describeProducers: 0...0,
        // Transactions (issue 19): v4+ of AddPartitionsToTxn is broker-to-broker (KIP-890).
        .addPartitionsToTxn: 0...3,
        .addOffsetsToTxn: 0...3,
        .txnOffsetCommit: 0...3,
        .endTxn: 0...3,
        // KIP-664: the transaction coordinator's state for admin tools (v1: a duration filter).
        .describeTransactions: 0...0,
        .listTransactions: 0...1,
        // KIP-848 consumer groups (librdkafka 2.x with group.protocol=consumer sends v1 only).
        .consumerGroupHeartbeat: 0...1,
        .consumerGroupDescribe: 0...0,
    ])

    public func contains(_ key: ApiKey, version: Int16) -> Bool {
        ranges[key]?.contains(version) ?? false
    }

    /// The `api_keys` entries, sorted by key.
    public var apiVersionEntries: [ApiVersionsResponse.ApiVersion] {
        ranges.sorted { $0.key.rawValue < $1.key.rawValue }.map { (key: ApiKey, range: ClosedRange<Int16>) in
            ApiVersionsResponse.ApiVersion(apiKey: key.rawValue, minVersion: range.lowerBound, maxVersion: range.upperBound)
        }
    }

    /// The ApiVersions response body advertising these ranges.
    public func apiVersionsResponse(errorCode: Int16 = 0, throttleTimeMs: Int32 = 0) -> ApiVersionsResponse {
        ApiVersionsResponse(errorCode: errorCode, apiKeys: apiVersionEntries, throttleTimeMs: throttleTimeMs)
    }

    /// KIP-511: the answer to an ApiVersions request of a version we do not support. The body is
    /// v0-format (int32 array count) with UNSUPPORTED_VERSION (35) and our ranges, the header is
    /// v0, so any client can read it and retry with `min(its version - 1, our max)`. Never
    /// disconnect instead.
    public func unsupportedApiVersionsFrame(correlationId: Int32) throws(WharfError) -> [UInt8] {
        try KafkaResponse.encode(
            correlationId: correlationId, version: 0,
            body: apiVersionsResponse(errorCode: KafkaErrorCode.unsupportedVersion))
    }
}
