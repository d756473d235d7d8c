import WharfStorage

extension EngineConfig {
    /// The smallest `minSegmentBytes` that makes sense: below it a segment rolls on nearly every
    /// batch, and each roll costs fsyncs and three files.
    public static let minSegmentBytesFloor = 1024

    /// What is wrong with the limits (partitions, segments, auto-creation, group and transaction
    /// timeouts, open files), named by the flags that set them (`wharf serve`, the dashboard),
    /// as `KafkaListenerLimits.problem` names its own; nil when the engine can run with them.
    public var limitsProblem: String? {
        if maxPartitionsPerTopic < 1 { return "--max-partitions-per-topic must be at least 1" }
        if maxPartitions < 1 { return "--max-partitions must be at least 1" }
        let segmentBytesCeiling = LogConfig().segmentBytes
        if !(Self.minSegmentBytesFloor...segmentBytesCeiling).contains(minSegmentBytes) {
            return "--min-segment-bytes must be between \(Self.minSegmentBytesFloor) and \(segmentBytesCeiling) (the default segment size)"
        }
        if autoCreateBurst < 0 { return "--auto-create-topics-burst must not be negative" }
        if autoCreatePerMinute < 0 { return "--auto-create-topics-per-minute must not be negative" }
        let (minSession, maxSession) = (groupTimeouts.minSessionTimeoutMs, groupTimeouts.maxSessionTimeoutMs)
        if minSession < 1 { return "--group-min-session-timeout-ms must be at least 1" }
        if maxSession < minSession {
            return "--group-max-session-timeout-ms must not be below --group-min-session-timeout-ms (\(minSession))"
        }
        if transactionMaxTimeoutMs < 1 { return "--transaction-max-timeout-ms must be at least 1" }
        let (heartbeat, session) = (consumerGroups.heartbeatIntervalMs, consumerGroups.sessionTimeoutMs)
        if heartbeat < 1 { return "--group-consumer-heartbeat-interval-ms must be at least 1" }
        if session <= heartbeat {
            return "--group-consumer-session-timeout-ms must be above --group-consumer-heartbeat-interval-ms (\(heartbeat))"
        }
        if maxOpenSegmentFiles < 0 { return "--max-open-segment-files must not be negative" }
        return nil
    }
}
