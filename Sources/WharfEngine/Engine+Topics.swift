import Foundation
import WharfAdmin
import WharfCore
import WharfStorage

/// Topic administration: create, list, describe, delete, add partitions.
extension Engine {
    public struct TopicSettings: Sendable, Equatable {
        public var partitions: Int32?
        public var retentionMs: Int64?
        public var retentionBytes: Int64?
        public var segmentBytes: Int?
        public var segmentMs: Int64?
        /// `message.timestamp.before.max.ms` / `message.timestamp.after.max.ms` of this topic
        /// (KIP-937); nil takes the engine's (`EngineConfig.defaultLog`).
        public var messageTimestampBeforeMaxMs: Int64?
        public var messageTimestampAfterMaxMs: Int64?
        /// `max.message.bytes`: the largest batch this topic accepts (nil: the engine's).
        public var maxMessageBytes: Int?
        /// `cleanup.policy`: "delete", "compact" or "compact,delete" (nil: delete). A compacted
        /// topic is compacted by key in maintenance and takes only records with a key;
        /// "compact" alone also turns retention off.
        public var cleanupPolicy: String?
        public init(partitions: Int32? = nil, retentionMs: Int64? = nil, retentionBytes: Int64? = nil,
                    segmentBytes: Int? = nil, segmentMs: Int64? = nil) {
            self.partitions = partitions
            self.retentionMs = retentionMs
            self.retentionBytes = retentionBytes
            self.segmentBytes = segmentBytes
            self.segmentMs = segmentMs
        }
    }

    /// Creates a topic, recorded in the audit log as `actor`'s change.
    @discardableResult
    public func createTopic(_ name: String, _ settings: TopicSettings = TopicSettings(),
                            actor: AuditActor = .thisProcess) throws(WharfError) -> TopicDescription {
        try audit.audited(actor, AuditAction.topicCreate, target: "topic:\(name)", after: { Self.auditFields($0) }) { () throws(WharfError) in
            try createTopicUnaudited(name, settings)
        }
    }

    /// What the audit log says of a topic: its partitions, records and retention.
    static func auditFields(_ t: TopicDescription) -> [String: String] {
        ["partitions": String(t.partitions.count), "records": String(t.records), "retention.ms": String(t.retentionMs),
         "retention.bytes": String(t.retentionBytes)]
    }

    /// `createTopic` without an audit entry: auto-creation by a client's Metadata request is
    /// client traffic, not an operator's change.
    func createTopicUnaudited(_ name: String, _ settings: TopicSettings) throws(WharfError) -> TopicDescription {
        let partitions = try checkNewTopic(name, settings)
        let meta = TopicMetadata(name: name, partitions: partitions, createdAt: clock.nowMillis(),
                                 retentionMs: settings.retentionMs, retentionBytes: settings.retentionBytes,
                                 segmentBytes: settings.segmentBytes, segmentMs: settings.segmentMs,
                                 messageTimestampBeforeMaxMs: settings.messageTimestampBeforeMaxMs,
                                 messageTimestampAfterMaxMs: settings.messageTimestampAfterMaxMs,
                                 maxMessageBytes: settings.maxMessageBytes, cleanupPolicy: settings.cleanupPolicy)
        // Creation runs under the table lock so two creators of one name cannot both succeed.
        let state: TopicState = try topics.withLock { (table: inout [String: TopicState]) throws(WharfError) -> TopicState in
            if table[name] != nil { throw .topicExists(name) }
            try Self.checkTotalPartitions(adding: Int(partitions), to: table, limit: config.maxPartitions)
            let s = try TopicState.create(meta: meta, directory: topicsDirectory + "/" + name, config: config, files: segmentFiles, syncer: logSyncer,
                                          clock: clock, logger: logger)
            table[name] = s
            return s
        }
        logger.info("created topic", metadata: ["topic": "\(name)", "partitions": "\(partitions)"])
        return describe(state)
    }

    /// Everything `createTopic` checks without creating anything (CreateTopics' validateOnly):
    /// the name, the settings and the limits. Returns the partition count the topic would get.
    @discardableResult
    public func checkNewTopic(_ name: String, _ settings: TopicSettings = TopicSettings()) throws(WharfError) -> Int32 {
        try Names.validateTopic(name)
        if InternalNames.isInternalTopic(name) { throw .invalidName("topic names starting with '__' are reserved for internal topics") }
        let partitions = settings.partitions ?? config.defaultPartitions
        guard partitions >= 1 else { throw .invalidArgument("partition count must be at least 1, got \(partitions)") }
        try checkPartitionsPerTopic(partitions)
        try checkTopicSettings(settings)
        try topics.withLock { (table: inout [String: TopicState]) throws(WharfError) in
            if table[name] != nil { throw .topicExists(name) }
            try Self.checkTotalPartitions(adding: Int(partitions), to: table, limit: config.maxPartitions)
        }
        return partitions
    }

    /// The rules every topic setting obeys, at creation and when altered.
    func checkTopicSettings(_ settings: TopicSettings) throws(WharfError) {
        if let r = settings.retentionMs, r < -1 || r == 0 { throw .invalidArgument("retention-ms must be positive or -1 (forever), got \(r)") }
        if let r = settings.retentionBytes, r < -1 || r == 0 { throw .invalidArgument("retention-bytes must be positive or -1 (unlimited), got \(r)") }
        for (name, value) in [("message.timestamp.before.max.ms", settings.messageTimestampBeforeMaxMs),
                              ("message.timestamp.after.max.ms", settings.messageTimestampAfterMaxMs)] {
            if let v = value, v < 0 { throw .invalidArgument("\(name) must be at least 0, got \(v)") }
        }
        if let s = settings.segmentBytes, s < config.minSegmentBytes {
            throw .policyViolation("segment.bytes must be at least \(config.minSegmentBytes), got \(s)")
        }
        if let s = settings.segmentMs, s < 1 { throw .invalidArgument("segment.ms must be at least 1, got \(s)") }
        if let p = settings.cleanupPolicy, !["delete", "compact", "compact,delete"].contains(p) {
            throw .invalidArgument("cleanup.policy must be delete, compact or compact,delete, got '\(p)'")
        }
        if let m = settings.maxMessageBytes, m < 0 { throw .invalidArgument("max.message.bytes must be at least 0, got \(m)") }
    }

    /// Kafka's auto-creation (a Metadata request naming unknown topics): creates those of
    /// `names` that do not exist, with `partitions` each, within the auto-create budget
    /// (`EngineConfig.autoCreateBurst`/`autoCreatePerMinute`) and the partition limits. Names it
    /// could not create stay unknown. One look at the topic table for the whole request.
    public func autoCreateTopics(_ names: [String], partitions: Int32) {
        let existing = topics.withLock { Set($0.keys) }
        var seen = Set<String>()
        for name in names where !existing.contains(name) && seen.insert(name).inserted {
            guard (try? Names.validateTopic(name)) != nil, !InternalNames.isInternalTopic(name) else { continue }
            let now = clock.nowMillis()
            let allowed = autoCreateBudget.withLock {
                $0.take(nowMs: now, burst: config.autoCreateBurst, perMinute: config.autoCreatePerMinute)
            }
            guard allowed else {
                logger.warning("topic auto-creation is over its budget; names stay unknown", metadata: ["topic": "\(name)"])
                return
            }
            _ = try? createTopicUnaudited(name, .init(partitions: partitions))
        }
    }

    func checkPartitionsPerTopic(_ count: Int32) throws(WharfError) {
        guard count <= config.maxPartitionsPerTopic else {
            throw .policyViolation("a topic may have at most \(config.maxPartitionsPerTopic) partitions, asked for \(count)")
        }
    }

    static func checkTotalPartitions(adding count: Int, to table: [String: TopicState], limit: Int) throws(WharfError) {
        let current = table.values.reduce(0) { $0 + $1.logs.count }
        guard current + count <= limit else {
            throw .policyViolation("the broker may hold at most \(limit) partitions; it has \(current), asked for \(count) more")
        }
    }

    /// Topic names, sorted; internal topics only when asked for.
    public func listTopics(includeInternal: Bool = false) -> [String] {
        topics.withLock { table in table.values.filter { includeInternal || !$0.meta.isInternal }.map(\.meta.name) }.sorted()
    }

    public func describeTopic(_ name: String) throws(WharfError) -> TopicDescription {
        describe(try topic(name))
    }

    public func describeAllTopics(includeInternal: Bool = false) -> [TopicDescription] {
        let all = topics.withLock { Array($0.values) }
        return all.filter { includeInternal || !$0.meta.isInternal }.map(describe).sorted { $0.name < $1.name }
    }

    func describe(_ t: TopicState) -> TopicDescription {
        let logConfig = config.logConfig(for: t.meta)
        return TopicDescription(
            name: t.meta.name, isInternal: t.meta.isInternal,
            retentionMs: logConfig.retentionMs, retentionBytes: logConfig.retentionBytes,
            partitions: t.logs.enumerated().map { i, log in
                var p = PartitionDescription(partition: Int32(i), logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset,
                                             sizeBytes: log.sizeInBytes, segments: log.segmentCount)
                let open = t.producers[i].openTransactions.count
                if open > 0 {
                    p.lastStableOffset = t.producers[i].lastStableOffset
                    p.openTransactions = open
                }
                return p
            })
    }

    /// Deletes a topic and its data. Committed offsets of groups for it are left in place (as Kafka
    /// does until they expire) so a re-created topic does not silently inherit them: lag shows them.
    public func deleteTopic(_ name: String, actor: AuditActor = .thisProcess) throws(WharfError) {
        let before = (try? describeTopic(name)).map(Self.auditFields)
        try audit.audited(actor, AuditAction.topicDelete, target: "topic:\(name)", before: before) { () throws(WharfError) in
            try deleteTopicUnaudited(name)
        }
    }

    private func deleteTopicUnaudited(_ name: String) throws(WharfError) {
        try InternalNames.checkMayDelete(topic: name)
        // Under the table lock, the directory moves to scratch (atomic and durable; a crash
        // after it leaves scratch, purged at the next start) before the topic leaves the table:
        // if the move fails, the topic is still there, whole, and a re-create cannot reuse
        // its old directory.
        try topics.withLock { (table: inout [String: TopicState]) throws(WharfError) in
            guard let t = table[name] else { throw .unknownTopic(name) }
            for log in t.logs { try? log.close() }
            do throws(WharfError) {
                try ScratchDirectory(inside: topicsDirectory, files: files).discard(t.directory, logger: logger)
            } catch {
                // Still in place (the rename failed): reopen, so the topic keeps working as
                // before. Moved (a later fsync failed): it is gone from the table too.
                let stillThere = FileManager.default.fileExists(atPath: t.directory + "/" + TopicMetadata.fileName)
                table[name] = stillThere ? try? TopicState.open(meta: t.meta, directory: t.directory, config: config, files: segmentFiles, syncer: logSyncer,
                                                                 clock: clock, logger: logger) : nil
                throw error
            }
            table[name] = nil
        }
        logger.info("deleted topic", metadata: ["topic": "\(name)"])
    }

    /// Grows a topic to `count` partitions (Kafka's CreatePartitions; partitions never shrink).
    public func addPartitions(_ name: String, totalCount count: Int32, actor: AuditActor = .thisProcess) throws(WharfError) -> TopicDescription {
        let before = (try? topic(name)).map { ["partitions": String($0.meta.partitions)] }
        return try audit.audited(actor, AuditAction.topicAddPartitions, target: "topic:\(name)", before: before,
                                 after: { ["partitions": String($0.partitions.count)] }) { () throws(WharfError) in
            try addPartitionsUnaudited(name, totalCount: count)
        }
    }

    private func addPartitionsUnaudited(_ name: String, totalCount count: Int32) throws(WharfError) -> TopicDescription {
        let updated = try topics.withLock { (table: inout [String: TopicState]) throws(WharfError) -> TopicState in
            guard let t = table[name] else { throw .unknownTopic(name) }
            guard count > t.meta.partitions else {
                throw .invalidArgument("topic \(name) has \(t.meta.partitions) partitions; the new count must be larger, got \(count)")
            }
            try checkPartitionsPerTopic(count)
            try Self.checkTotalPartitions(adding: Int(count - t.meta.partitions), to: table, limit: config.maxPartitions)
            var meta = t.meta
            meta.partitions = count
            var logs = t.logs
            var producers = t.producers
            do throws(WharfError) {
                for p in t.meta.partitions..<count {
                    let log = try PartitionLog.open(directory: t.directory + "/\(p)", config: config.logConfig(for: meta),
                                                    clock: clock, logger: logger, faults: config.faults, files: segmentFiles, syncer: logSyncer)
                    logs.append(log)
                    producers.append(try ProducerStateManager.load(log: log, logger: logger))
                }
                // Saved after the partition directories exist; its directory fsync makes them durable.
                try meta.save(to: t.directory, files: files)
            } catch {
                for log in logs[t.logs.count...] { try? log.close() }
                throw error
            }
            let s = TopicState(meta: meta, directory: t.directory, logs: logs, producers: producers)
            table[name] = s
            return s
        }
        return describe(updated)
    }

    /// Declares `name` the dead-letter topic of `original` (nil: no longer one). Persisted with
    /// the topic's metadata, so the declaration survives restarts.
    public func setDeadLetterFor(_ name: String, original: String?, actor: AuditActor = .thisProcess) throws(WharfError) {
        let before = (try? topic(name)).map { ["dead-letter-for": $0.meta.deadLetterFor ?? AuditEntry.noOffset] }
        try audit.audited(actor, AuditAction.topicDeadLetterFor, target: "topic:\(name)", before: before,
                          after: { _ in ["dead-letter-for": original ?? AuditEntry.noOffset] }) { () throws(WharfError) in
            try setDeadLetterForUnaudited(name, original: original)
        }
    }

    private func setDeadLetterForUnaudited(_ name: String, original: String?) throws(WharfError) {
        if let original {
            guard original != name else { throw .invalidArgument("a topic cannot be its own dead-letter topic") }
            _ = try topic(original)
        }
        try topics.withLock { (table: inout [String: TopicState]) throws(WharfError) in
            guard let t = table[name] else { throw .unknownTopic(name) }
            guard !t.meta.isInternal else { throw .invalidArgument("\(name) is an internal topic") }
            var meta = t.meta
            meta.deadLetterFor = original
            try meta.save(to: t.directory, files: files)
            table[name] = TopicState(meta: meta, directory: t.directory, logs: t.logs, producers: t.producers)
        }
    }

    /// The original topic `name` was declared the dead-letter topic of, if any.
    public func deadLetterFor(_ name: String) throws(WharfError) -> String? {
        try topic(name).meta.deadLetterFor
    }
}
