import Foundation
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
        public init(partitions: Int32? = nil, retentionMs: Int64? = nil, retentionBytes: Int64? = nil,
                    segmentBytes: Int? = nil, segmentMs: Int64? = nil) {
            self.partitions = partitions
            self.retentionMs = retentionMs
            self.retentionBytes = retentionBytes
            self.segmentBytes = segmentBytes
            self.segmentMs = segmentMs
        }
    }

    @discardableResult
    public func createTopic(_ name: String, _ settings: TopicSettings = TopicSettings()) throws(WharfError) -> TopicDescription {
        try Names.validateTopic(name)
        if name.hasPrefix("__") { throw .invalidName("topic names starting with '__' are reserved for internal topics") }
        let partitions = settings.partitions ?? config.defaultPartitions
        guard partitions >= 1, partitions <= 10_000 else { throw .invalidArgument("partition count must be between 1 and 10000, got \(partitions)") }
        if let r = settings.retentionMs, r < -1 || r == 0 { throw .invalidArgument("retention-ms must be positive or -1 (forever), got \(r)") }
        if let r = settings.retentionBytes, r < -1 || r == 0 { throw .invalidArgument("retention-bytes must be positive or -1 (unlimited), got \(r)") }
        if let s = settings.segmentBytes, s < 1024 { throw .invalidArgument("segment-bytes must be at least 1024, got \(s)") }
        let meta = TopicMetadata(name: name, partitions: partitions, createdAt: clock.nowMillis(),
                                 retentionMs: settings.retentionMs, retentionBytes: settings.retentionBytes,
                                 segmentBytes: settings.segmentBytes, segmentMs: settings.segmentMs)
        // Creation runs under the table lock so two creators of one name cannot both succeed.
        let state: TopicState = try topics.withLock { (table: inout [String: TopicState]) throws(WharfError) -> TopicState in
            if table[name] != nil { throw .topicExists(name) }
            let s = try TopicState.create(meta: meta, directory: topicsDirectory + "/" + name, config: config, clock: clock, logger: logger)
            table[name] = s
            return s
        }
        logger.info("created topic", metadata: ["topic": "\(name)", "partitions": "\(partitions)"])
        return describe(state)
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
                PartitionDescription(partition: Int32(i), logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset,
                                     sizeBytes: log.sizeInBytes, segments: log.segmentCount)
            })
    }

    /// Deletes a topic and its data. Committed offsets of groups for it are left in place (as Kafka
    /// does until they expire) so a re-created topic does not silently inherit them: lag shows them.
    public func deleteTopic(_ name: String) throws(WharfError) {
        if name == Self.offsetsTopic { throw .invalidArgument("the internal topic \(name) cannot be deleted") }
        let removed = try topics.withLock { (table: inout [String: TopicState]) throws(WharfError) -> TopicState in
            guard let t = table.removeValue(forKey: name) else { throw .unknownTopic(name) }
            return t
        }
        // Rename first (atomic), then delete: a crash mid-way leaves a `.deleted-` directory that
        // the next open removes, never a half-deleted live topic.
        let tomb = removed.directory + ".deleted-\(clock.nowMillis())"
        for log in removed.logs { try? log.close() }
        guard rename(removed.directory, tomb) == 0 else {
            throw .io("cannot delete topic \(name): \(String(cString: strerror(errno)))")
        }
        try? FileManager.default.removeItem(atPath: tomb)
        logger.info("deleted topic", metadata: ["topic": "\(name)"])
    }

    /// Grows a topic to `count` partitions (Kafka's CreatePartitions; partitions never shrink).
    public func addPartitions(_ name: String, totalCount count: Int32) throws(WharfError) -> TopicDescription {
        let updated = try topics.withLock { (table: inout [String: TopicState]) throws(WharfError) -> TopicState in
            guard let t = table[name] else { throw .unknownTopic(name) }
            guard count > t.meta.partitions else {
                throw .invalidArgument("topic \(name) has \(t.meta.partitions) partitions; the new count must be larger, got \(count)")
            }
            guard count <= 10_000 else { throw .invalidArgument("partition count must be at most 10000") }
            var meta = t.meta
            meta.partitions = count
            var logs = t.logs
            var producers = t.producers
            for p in t.meta.partitions..<count {
                let log = try PartitionLog.open(directory: t.directory + "/\(p)", config: config.logConfig(for: meta),
                                                clock: clock, logger: logger)
                logs.append(log)
                producers.append(try ProducerStateManager.load(log: log, logger: logger))
            }
            try meta.save(to: t.directory)
            let s = TopicState(meta: meta, directory: t.directory, logs: logs, producers: producers)
            table[name] = s
            return s
        }
        return describe(updated)
    }

    /// Declares `name` the dead-letter topic of `original` (nil: no longer one). Persisted with
    /// the topic's metadata, so the declaration survives restarts.
    public func setDeadLetterFor(_ name: String, original: String?) throws(WharfError) {
        if let original {
            guard original != name else { throw .invalidArgument("a topic cannot be its own dead-letter topic") }
            _ = try topic(original)
        }
        try topics.withLock { (table: inout [String: TopicState]) throws(WharfError) in
            guard let t = table[name] else { throw .unknownTopic(name) }
            guard !t.meta.isInternal else { throw .invalidArgument("\(name) is an internal topic") }
            var meta = t.meta
            meta.deadLetterFor = original
            try meta.save(to: t.directory)
            table[name] = TopicState(meta: meta, directory: t.directory, logs: t.logs, producers: t.producers)
        }
    }

    /// The original topic `name` was declared the dead-letter topic of, if any.
    public func deadLetterFor(_ name: String) throws(WharfError) -> String? {
        try topic(name).meta.deadLetterFor
    }
}
