import WharfCore
import WharfStorage

/// A topic's own settings (Kafka's dynamic topic configs): read, and replaced durably
/// (AlterConfigs, IncrementalAlterConfigs).
extension Engine {
    /// The settings `name` was given (nil fields take the engine's defaults, `topicDefaults`).
    /// `partitions` is the topic's partition count.
    public func topicSettings(_ name: String) throws(WharfError) -> TopicSettings {
        let meta = try topic(name).meta
        var s = TopicSettings(partitions: meta.partitions, retentionMs: meta.retentionMs, retentionBytes: meta.retentionBytes,
                              segmentBytes: meta.segmentBytes, segmentMs: meta.segmentMs)
        s.messageTimestampBeforeMaxMs = meta.messageTimestampBeforeMaxMs
        s.messageTimestampAfterMaxMs = meta.messageTimestampAfterMaxMs
        s.maxMessageBytes = meta.maxMessageBytes
        s.cleanupPolicy = meta.cleanupPolicy
        return s
    }

    /// What a topic without settings of its own gets (the broker-level defaults).
    public var topicDefaults: LogConfig { config.defaultLog }

    /// Replaces `name`'s settings with `settings` (its `partitions` is ignored; nil fields go
    /// back to the defaults): checked like a new topic's, saved in `topic.json` (atomically, so
    /// a crash leaves the old or the new settings), then applied to the live partitions (the
    /// next append, roll or retention run uses them). `validateOnly` checks and changes nothing.
    public func setTopicSettings(_ name: String, _ settings: TopicSettings, validateOnly: Bool = false) throws(WharfError) {
        try checkTopicSettings(settings)
        try topics.withLock { (table: inout [String: TopicState]) throws(WharfError) in
            guard let t = table[name] else { throw .unknownTopic(name) }
            if t.meta.isInternal { throw .policyViolation("\(name) is internal; its settings are Wharf's") }
            if validateOnly { return }
            var meta = t.meta
            meta.retentionMs = settings.retentionMs
            meta.retentionBytes = settings.retentionBytes
            meta.segmentBytes = settings.segmentBytes
            meta.segmentMs = settings.segmentMs
            meta.messageTimestampBeforeMaxMs = settings.messageTimestampBeforeMaxMs
            meta.messageTimestampAfterMaxMs = settings.messageTimestampAfterMaxMs
            meta.maxMessageBytes = settings.maxMessageBytes
            meta.cleanupPolicy = settings.cleanupPolicy
            try meta.save(to: t.directory, files: files)
            let logConfig = config.logConfig(for: meta)
            for log in t.logs { log.updateConfig(logConfig) }
            table[name] = TopicState(meta: meta, directory: t.directory, logs: t.logs, producers: t.producers)
        }
        logger.info("changed topic settings", metadata: ["topic": "\(name)"])
    }
}
