import Testing
import WharfEngine

/// The engine's limits rule (`EngineConfig.limitsProblem`), which `wharf serve` and the
/// dashboard apply to their engine-limit flags.
@Suite struct EngineConfigLimitsTests {
    static func problem(_ change: (inout EngineConfig) -> Void) -> String? {
        var config = EngineConfig(dataDirectory: "")
        change(&config)
        return config.limitsProblem
    }

    @Test("the defaults are valid")
    func defaultsAreValid() {
        #expect(Self.problem { _ in } == nil)
    }

    @Test("each limit out of its range is named by its flag")
    func outOfRange() {
        #expect(Self.problem { $0.maxPartitionsPerTopic = 0 } == "--max-partitions-per-topic must be at least 1")
        #expect(Self.problem { $0.maxPartitions = 0 } == "--max-partitions must be at least 1")
        #expect(Self.problem { $0.minSegmentBytes = 1023 } == "--min-segment-bytes must be between 1024 and 67108864 (the default segment size)")
        #expect(Self.problem { $0.minSegmentBytes = 64 << 20 } == nil)
        #expect(Self.problem { $0.minSegmentBytes = (64 << 20) + 1 } != nil)
        #expect(Self.problem { $0.autoCreateBurst = -1 } == "--auto-create-topics-burst must not be negative")
        #expect(Self.problem { $0.autoCreatePerMinute = -1 } == "--auto-create-topics-per-minute must not be negative")
        #expect(Self.problem { $0.transactionMaxTimeoutMs = 0 } == "--transaction-max-timeout-ms must be at least 1")
        #expect(Self.problem { $0.maxOpenSegmentFiles = -1 } == "--max-open-segment-files must not be negative")
        #expect(Self.problem { $0.maxOpenSegmentFiles = 0 } == nil)
    }

    @Test("timeouts must be ordered: session bounds, and a KIP-848 session longer than its heartbeat")
    func orderedTimeouts() {
        #expect(Self.problem { $0.groupTimeouts.minSessionTimeoutMs = 0 } == "--group-min-session-timeout-ms must be at least 1")
        #expect(Self.problem { $0.groupTimeouts = GroupTimeoutLimits(minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 5999) }
                == "--group-max-session-timeout-ms must not be below --group-min-session-timeout-ms (6000)")
        #expect(Self.problem { $0.consumerGroups = ConsumerGroupSettings(heartbeatIntervalMs: 0, sessionTimeoutMs: 45000) }
                == "--group-consumer-heartbeat-interval-ms must be at least 1")
        #expect(Self.problem { $0.consumerGroups = ConsumerGroupSettings(heartbeatIntervalMs: 5000, sessionTimeoutMs: 5000) }
                == "--group-consumer-session-timeout-ms must be above --group-consumer-heartbeat-interval-ms (5000)")
    }
}
