import ArgumentParser
import WharfEngine

/// The engine's limits as flags, shared by `wharf serve` and the dashboard: what one client can
/// make the engine hold (partitions, segments, open files, auto-created topics, group timeouts).
/// Named after the Kafka broker setting where Kafka has one; defaults are `EngineConfig`'s.
struct EngineLimitOptions: ParsableArguments {
    private static let defaults = EngineConfig(dataDirectory: "")

    @Option(name: .customLong("max-partitions-per-topic"),
            help: "Most partitions one topic may have (CreateTopics, CreatePartitions, auto-creation); more fails with POLICY_VIOLATION.")
    var maxPartitionsPerTopic = defaults.maxPartitionsPerTopic
    @Option(name: .customLong("max-partitions"),
            help: "Most partitions of all topics together, internal ones included.")
    var maxPartitions = defaults.maxPartitions
    @Option(name: .customLong("min-segment-bytes"),
            help: "Smallest segment.bytes a topic may set (Kafka's minimum is 1 MiB); at least \(EngineConfig.minSegmentBytesFloor).")
    var minSegmentBytes = defaults.minSegmentBytes
    @Option(name: .customLong("auto-create-topics-burst"),
            help: "Topics that requests may auto-create at once; past it, unknown names stay unknown.")
    var autoCreateBurst = defaults.autoCreateBurst
    @Option(name: .customLong("auto-create-topics-per-minute"),
            help: "Topics auto-creation earns back each minute after the burst.")
    var autoCreatePerMinute = defaults.autoCreatePerMinute
    @Option(name: .customLong("group-min-session-timeout-ms"),
            help: "Shortest session timeout a consumer may join with (Kafka's group.min.session.timeout.ms).")
    var groupMinSessionTimeoutMs = defaults.groupTimeouts.minSessionTimeoutMs
    @Option(name: .customLong("group-max-session-timeout-ms"),
            help: "Longest session timeout a consumer may join with, and the longest rebalance wait (Kafka's group.max.session.timeout.ms).")
    var groupMaxSessionTimeoutMs = defaults.groupTimeouts.maxSessionTimeoutMs
    @Option(name: .customLong("transaction-max-timeout-ms"),
            help: "Longest transaction.timeout.ms a transactional producer may ask for (Kafka's transaction.max.timeout.ms); its open transaction is aborted after it.")
    var transactionMaxTimeoutMs = defaults.transactionMaxTimeoutMs
    @Option(name: .customLong("group-consumer-heartbeat-interval-ms"),
            help: "How often KIP-848 consumer-group members heartbeat, so how soon they learn of a new assignment (Kafka's group.consumer.heartbeat.interval.ms).")
    var groupConsumerHeartbeatIntervalMs = defaults.consumerGroups.heartbeatIntervalMs
    @Option(name: .customLong("group-consumer-session-timeout-ms"),
            help: "How long a silent KIP-848 consumer-group member keeps its partitions (Kafka's group.consumer.session.timeout.ms).")
    var groupConsumerSessionTimeoutMs = defaults.consumerGroups.sessionTimeoutMs
    @Option(name: .customLong("max-open-segment-files"),
            help: "Descriptors of sealed segments kept open for reads, least recently read closed first (0: open per read). Active segments hold one each on top.")
    var maxOpenSegmentFiles = defaults.maxOpenSegmentFiles

    /// The engine's rule (`EngineConfig.limitsProblem`), on the limits these flags set.
    func validate() throws {
        var config = Self.defaults
        apply(to: &config)
        if let problem = config.limitsProblem { throw ValidationError(problem) }
    }

    /// Sets these limits on `config`.
    func apply(to config: inout EngineConfig) {
        config.maxPartitionsPerTopic = maxPartitionsPerTopic
        config.maxPartitions = maxPartitions
        config.minSegmentBytes = minSegmentBytes
        config.autoCreateBurst = autoCreateBurst
        config.autoCreatePerMinute = autoCreatePerMinute
        config.groupTimeouts = GroupTimeoutLimits(minSessionTimeoutMs: groupMinSessionTimeoutMs, maxSessionTimeoutMs: groupMaxSessionTimeoutMs)
        config.consumerGroups = ConsumerGroupSettings(heartbeatIntervalMs: groupConsumerHeartbeatIntervalMs,
                                                      sessionTimeoutMs: groupConsumerSessionTimeoutMs)
        config.maxOpenSegmentFiles = maxOpenSegmentFiles
        config.transactionMaxTimeoutMs = transactionMaxTimeoutMs
    }
}
