import KafkaProtocol
import WharfCore
import WharfEngine
import WharfStorage

extension Substring {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}

/// Kafka's topic-level configs as Wharf sees them: the ones it applies (read into
/// `Engine.TopicSettings`, listed by DescribeConfigs), the ones Kafka has that Wharf accepts
/// and ignores (replication, compression, flushing: nothing a single-node log changes by), and
/// every other name, which Kafka refuses with INVALID_CONFIG and so does Wharf.
/// CreateTopics, AlterConfigs and IncrementalAlterConfigs all go through here.
enum TopicConfigs {
    /// A refused config: Kafka's INVALID_CONFIG (or POLICY_VIOLATION) with a message naming it.
    struct Refusal: Error, Equatable {
        var code: Int16
        var message: String
        static func invalid(_ message: String) -> Refusal { Refusal(code: KafkaError.invalidConfig, message: message) }
    }

    /// Topic configs Wharf applies, in the order DescribeConfigs lists them.
    static let honoured = [
        "cleanup.policy", "max.message.bytes", "message.timestamp.after.max.ms", "message.timestamp.before.max.ms",
        "retention.bytes", "retention.ms", "segment.bytes", "segment.ms",
    ]

    /// Kafka 3.x/4.x topic configs Wharf accepts without applying them.
    static let acceptedAndIgnored: Set<String> = [
        "compression.type", "compression.gzip.level", "compression.lz4.level", "compression.zstd.level",
        "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms",
        "follower.replication.throttled.replicas", "index.interval.bytes", "leader.replication.throttled.replicas",
        "local.retention.bytes", "local.retention.ms", "max.compaction.lag.ms", "message.downconversion.enable",
        "message.format.version", "message.timestamp.difference.max.ms", "message.timestamp.type",
        "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
        "remote.storage.enable", "remote.log.copy.disable", "remote.log.delete.on.disable", "segment.index.bytes",
        "segment.jitter.ms", "unclean.leader.election.enable",
    ]

    /// Kafka's topic configs whose values are lists (what IncrementalAlterConfigs may append to).
    static let listConfigs: Set<String> = ["cleanup.policy", "follower.replication.throttled.replicas", "leader.replication.throttled.replicas"]

    static func isKnown(_ name: String) -> Bool { honoured.contains(name) || acceptedAndIgnored.contains(name) }

    /// Sets `name` to `value` in `settings` (nil value: back to the default). Throws a refusal
    /// for an unknown name or a value Kafka would not take.
    static func apply(_ name: String, _ value: String?, to settings: inout Engine.TopicSettings) throws(Refusal) {
        guard isKnown(name) else { throw .invalid("Unknown topic config name: \(name)") }
        guard let value else {
            clear(name, in: &settings)
            return
        }
        switch name {
        case "retention.ms": settings.retentionMs = try integer(name, value, atLeast: -1)
        case "retention.bytes": settings.retentionBytes = try integer(name, value, atLeast: -1)
        case "segment.bytes": settings.segmentBytes = Int(try integer(name, value, atLeast: 14))
        case "segment.ms": settings.segmentMs = try integer(name, value, atLeast: 1)
        case "max.message.bytes": settings.maxMessageBytes = Int(try integer(name, value, atLeast: 0))
        case "message.timestamp.before.max.ms": settings.messageTimestampBeforeMaxMs = try integer(name, value, atLeast: 0)
        case "message.timestamp.after.max.ms": settings.messageTimestampAfterMaxMs = try integer(name, value, atLeast: 0)
        case "cleanup.policy": settings.cleanupPolicy = try cleanupPolicy(Set(value.split(separator: ",").map { $0.trimmingSpaces }))
        default:
            try checkIgnored(name, value)
        }
    }

    /// Back to the default.
    static func clear(_ name: String, in settings: inout Engine.TopicSettings) {
        switch name {
        case "retention.ms": settings.retentionMs = nil
        case "retention.bytes": settings.retentionBytes = nil
        case "segment.bytes": settings.segmentBytes = nil
        case "segment.ms": settings.segmentMs = nil
        case "max.message.bytes": settings.maxMessageBytes = nil
        case "cleanup.policy": settings.cleanupPolicy = nil
        case "message.timestamp.before.max.ms": settings.messageTimestampBeforeMaxMs = nil
        case "message.timestamp.after.max.ms": settings.messageTimestampAfterMaxMs = nil
        default: break
        }
    }

    /// The values Kafka's own validation refuses for the configs Wharf ignores, where the type is
    /// plain (numbers and booleans); other strings pass.
    static func checkIgnored(_ name: String, _ value: String) throws(Refusal) {
        let booleans: Set<String> = ["preallocate", "unclean.leader.election.enable", "message.downconversion.enable",
                                     "remote.storage.enable", "remote.log.copy.disable", "remote.log.delete.on.disable"]
        if booleans.contains(name) {
            guard ["true", "false"].contains(value.lowercased()) else { throw .invalid("Invalid value \(value) for configuration \(name): Expected value to be either true or false") }
        } else if name == "compression.type" {
            guard ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"].contains(value) else {
                throw .invalid("Invalid value \(value) for configuration compression.type")
            }
        } else if name == "min.cleanable.dirty.ratio" {
            guard let d = Double(value), d >= 0, d <= 1 else { throw .invalid("Invalid value \(value) for configuration \(name)") }
        } else if name == "message.timestamp.type" {
            guard ["CreateTime", "LogAppendTime"].contains(value) else { throw .invalid("Invalid value \(value) for configuration \(name)") }
        } else if !["message.format.version", "follower.replication.throttled.replicas", "leader.replication.throttled.replicas"].contains(name) {
            _ = try integer(name, value, atLeast: Int64.min)
        }
    }

    /// `cleanup.policy` from its list of policies (Kafka's canonical spelling, "compact,delete").
    static func cleanupPolicy(_ policies: Set<String>) throws(Refusal) -> String {
        guard !policies.isEmpty, policies.isSubset(of: ["compact", "delete"]) else {
            throw .invalid("Invalid value \(policies.sorted().joined(separator: ",")) for configuration cleanup.policy: String must be one of: compact, delete")
        }
        return policies.sorted().joined(separator: ",")
    }

    /// The policies of `settings` (its own or the default, delete).
    static func cleanupPolicies(_ settings: Engine.TopicSettings) -> Set<String> {
        Set((settings.cleanupPolicy ?? "delete").split(separator: ",").map(String.init))
    }

    static func integer(_ name: String, _ value: String, atLeast minimum: Int64) throws(Refusal) -> Int64 {
        guard let v = Int64(value) else {
            throw .invalid("Invalid value \(value) for configuration \(name): Not a number of type LONG")
        }
        guard v >= minimum else { throw .invalid("Invalid value \(value) for configuration \(name): Value must be at least \(minimum)") }
        return v
    }

    /// The value of honoured config `name` for a topic with `settings` (its own or the default),
    /// and whether it is the topic's own.
    static func value(_ name: String, settings: Engine.TopicSettings, defaults: LogConfig, isInternal: Bool) -> (value: String, own: Bool) {
        func pick<T>(_ own: T?, _ fallback: T) -> (String, Bool) { own.map { ("\($0)", true) } ?? ("\(fallback)", false) }
        switch name {
        case "retention.ms": return pick(settings.retentionMs, defaults.retentionMs)
        case "retention.bytes": return pick(settings.retentionBytes, defaults.retentionBytes)
        case "segment.bytes": return pick(settings.segmentBytes, defaults.segmentBytes)
        case "segment.ms": return pick(settings.segmentMs, defaults.segmentMs)
        case "max.message.bytes": return pick(settings.maxMessageBytes, defaults.maxBatchBytes)
        case "message.timestamp.before.max.ms": return pick(settings.messageTimestampBeforeMaxMs, defaults.messageTimestampBeforeMaxMs)
        case "message.timestamp.after.max.ms": return pick(settings.messageTimestampAfterMaxMs, defaults.messageTimestampAfterMaxMs)
        case "cleanup.policy": return isInternal ? ("compact", false) : pick(settings.cleanupPolicy, "delete")
        default: return ("", false)
        }
    }
}
