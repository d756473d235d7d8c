import Foundation
import Logging
import Synchronization
import WharfAdmin
import WharfCore
import WharfStorage

/// The embedded broker: topics of partitioned logs, the group coordinator, and the admin
/// operations (reset, purge) that the CLI, the dashboard and the Kafka listener all call.
///
/// Layout: `<data>/.lock` (owner pid), `<data>/topics/<topic>/topic.json` and one directory per
/// partition, `<data>/topics/<topic>/<partition>/`, holding that partition's segments;
/// `<data>/topics/@scratch/` holds topics being created or deleted (`ScratchDirectory`).
///
/// Thread-safety: the topic table is behind a mutex held only for lookups and topic changes;
/// appends and reads go straight to the partition's own log, which serializes its appends and lets
/// readers proceed without blocking them.
public final class Engine: Sendable {
    public static let offsetsTopic = "__consumer_offsets"

    public let config: EngineConfig
    public let clock: any WallClock
    public let coordinator: GroupCoordinator
    /// Transactional ids, their producers and open transactions (`<data>/transactions.json`).
    let transactions: TransactionCoordinator
    /// `<data>/audit.log`: every change the admin commands below make, with who made it.
    public let audit: AuditLog
    let logger: Logger
    let topics: Mutex<[String: TopicState]>
    let partitioner = Partitioner()
    private let lock: DataDirectoryLock
    /// Producer ids for InitProducerId, unique across restarts (see `ProducerIdAllocator`).
    let producerIds: ProducerIdAllocator
    private let closed = Atomic<Bool>(false)
    /// Topics Metadata may still auto-create (`autoCreateTopics`).
    let autoCreateBudget: Mutex<AutoCreateBudget>
    /// The descriptors of sealed segments, shared by every topic's partitions.
    let segmentFiles: SegmentFileCache
    /// The group commit of the data directory: one fdatasync round covers every partition's
    /// appends waiting then (`--fsync always`).
    let logSyncer: LogSyncer
    /// When retention and compaction last ran (they need not run on every maintenance call).
    let maintenanceClock = Mutex<(retention: Int64, compaction: Int64)>((0, 0))

    var topicsDirectory: String { config.dataDirectory + "/topics" }
    /// Topic directory and metadata changes (journaled in crash tests).
    var files: DurableFile { DurableFile(faults: config.faults) }

    private init(config: EngineConfig, clock: any WallClock, logger: Logger, lock: DataDirectoryLock,
                 topics: [String: TopicState], coordinator: GroupCoordinator, producerIds: ProducerIdAllocator,
                 segmentFiles: SegmentFileCache, logSyncer: LogSyncer, transactions: TransactionCoordinator) {
        self.transactions = transactions
        self.logSyncer = logSyncer
        self.config = config
        self.segmentFiles = segmentFiles
        self.producerIds = producerIds
        self.clock = clock
        self.logger = logger
        self.lock = lock
        self.topics = Mutex(topics)
        self.coordinator = coordinator
        self.audit = AuditLog(dataDirectory: config.dataDirectory, clock: clock, logger: logger)
        self.autoCreateBudget = Mutex(AutoCreateBudget(burst: config.autoCreateBurst))
    }

    /// Opens (creating if needed) the data directory: takes its lock, recovers every partition
    /// log, and rebuilds committed offsets from `__consumer_offsets`.
    public static func open(config: EngineConfig, clock: any WallClock = SystemClock(),
                            logger: Logger = Logger(label: "wharf.engine")) throws(WharfError) -> Engine {
        let fm = FileManager.default
        try DurableFile(faults: config.faults).makeDirectoryDurably(config.dataDirectory + "/topics")
        let lock = try DataDirectoryLock.acquire(directory: config.dataDirectory)
        let files = SegmentFileCache(capacity: config.maxOpenSegmentFiles)
        let syncer = LogSyncer()
        do throws(WharfError) {
            var loaded: [String: TopicState] = [:]
            let topicsDir = config.dataDirectory + "/topics"
            // A create or delete a crash interrupted left its directory in scratch: finish it.
            // Nothing else is removed, whatever its name.
            try ScratchDirectory(inside: topicsDir, files: DurableFile(faults: config.faults)).purge(logger: logger)
            do throws(WharfError) {
                for entry in ((try? fm.contentsOfDirectory(atPath: topicsDir)) ?? []).sorted() where entry != ScratchDirectory.name {
                    let dir = topicsDir + "/" + entry
                    guard fm.fileExists(atPath: dir + "/" + TopicMetadata.fileName) else { continue }
                    let meta = try TopicMetadata.load(from: dir)
                    guard meta.name == entry else {
                        // Not that topic's directory: e.g. `<name>.deleted-<ms>`, left by an
                        // interrupted delete of a Wharf before the scratch directory. Kept, not
                        // loaded (it would shadow the live topic), and not removed (a topic may
                        // have such a name): the operator decides.
                        logger.warning("ignoring a topic directory whose topic.json names another topic; remove it if it is an old deleted topic",
                                       metadata: ["directory": "\(dir)", "topic": "\(meta.name)"])
                        continue
                    }
                    loaded[meta.name] = try TopicState.open(meta: meta, directory: dir, config: config, files: files, syncer: syncer,
                                                            clock: clock, logger: logger)
                }
            } catch {
                for t in loaded.values { for log in t.logs { try? log.close() } }
                throw error
            }
            if loaded[offsetsTopic] == nil {
                // Small segments so compaction (which works on closed segments) keeps it small.
                var meta = TopicMetadata(name: offsetsTopic, partitions: config.offsetsTopicPartitions,
                                         createdAt: clock.nowMillis(), retentionMs: -1, retentionBytes: -1,
                                         segmentBytes: config.offsetsSegmentBytes)
                meta.isInternal = true
                loaded[offsetsTopic] = try TopicState.create(meta: meta, directory: topicsDir + "/" + offsetsTopic,
                                                             config: config, files: files, syncer: syncer, clock: clock, logger: logger)
            }
            let offsetsLog = OffsetsTopicCommitLog(log: loaded[offsetsTopic]!.logs[0], clock: clock)
            let coordinator = try GroupCoordinator(log: offsetsLog, clock: clock, logger: logger,
                                                   initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
                                                   timeoutLimits: config.groupTimeouts, consumerSettings: config.consumerGroups,
                                                   catalog: Self.loadedTopicCatalog(loaded))
            let highestProducerId = loaded.values.flatMap(\.producers).map(\.highestProducerId).max() ?? -1
            let producerIds = ProducerIdAllocator.open(dataDirectory: config.dataDirectory, highestIdInLogs: highestProducerId, logger: logger)
            let transactions = try TransactionCoordinator(dataDirectory: config.dataDirectory, files: DurableFile(faults: config.faults),
                                                          maxTimeoutMs: config.transactionMaxTimeoutMs, logger: logger)
            let engine = Engine(config: config, clock: clock, logger: logger, lock: lock, topics: loaded, coordinator: coordinator,
                                producerIds: producerIds, segmentFiles: files, logSyncer: syncer, transactions: transactions)
            offsetsLog.dataLogs.bind(engine)
            return engine
        } catch {
            lock.release()
            throw error
        }
    }

    /// Flushes and closes every log (writing clean-shutdown markers) and releases the lock.
    public func close() throws(WharfError) {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let all = topics.withLock { Array($0.values) }
        var firstError: WharfError?
        for t in all {
            for (log, producers) in zip(t.logs, t.producers) {
                // The snapshot first: it records the producer state at the final log end.
                do { try producers.writeSnapshot() } catch { firstError = firstError ?? error }
                do { try log.close() } catch { firstError = firstError ?? error }
            }
        }
        lock.release()
        if let firstError { throw firstError }
    }

    func topic(_ name: String) throws(WharfError) -> TopicState {
        guard let t = topics.withLock({ $0[name] }) else { throw .unknownTopic(name) }
        return t
    }

    func log(_ topic: String, _ partition: Int32) throws(WharfError) -> PartitionLog {
        let t = try self.topic(topic)
        guard partition >= 0, Int(partition) < t.logs.count else { throw .unknownPartition(topic: topic, partition: partition) }
        return t.logs[Int(partition)]
    }
}

/// One topic's metadata, its open partition logs and their idempotent-producer state (same
/// index). Immutable: adding partitions replaces it.
final class TopicState: Sendable {
    let meta: TopicMetadata
    let directory: String
    let logs: [PartitionLog]
    let producers: [ProducerStateManager]

    init(meta: TopicMetadata, directory: String, logs: [PartitionLog], producers: [ProducerStateManager]) {
        precondition(logs.count == producers.count, "one producer state per partition log")
        self.meta = meta
        self.directory = directory
        self.logs = logs
        self.producers = producers
    }

    static func open(meta: TopicMetadata, directory: String, config: EngineConfig, files: SegmentFileCache, syncer: LogSyncer,
                     clock: any WallClock, logger: Logger) throws(WharfError) -> TopicState {
        var logs: [PartitionLog] = []
        var producers: [ProducerStateManager] = []
        do throws(WharfError) {
            for p in 0..<meta.partitions {
                var partitionLogger = logger
                partitionLogger[metadataKey: "partition"] = "\(meta.name)/\(p)"
                let log = try PartitionLog.open(directory: directory + "/\(p)", config: config.logConfig(for: meta),
                                                clock: clock, logger: partitionLogger, faults: config.faults, files: files, syncer: syncer)
                logs.append(log)
                producers.append(try ProducerStateManager.load(log: log, logger: partitionLogger))
            }
        } catch {
            for log in logs { try? log.close() }  // do not leak the descriptors of the ones that opened
            throw error
        }
        return TopicState(meta: meta, directory: directory, logs: logs, producers: producers)
    }

    /// Creates the topic whole or not at all: `topic.json` and the partition directories are
    /// built in scratch, made durable, then renamed into place (a crash before the rename leaves
    /// only scratch, purged at the next start). If the logs then fail to open (out of file
    /// descriptors, say), the directory goes back to scratch, so the next start does not trip
    /// over it.
    static func create(meta: TopicMetadata, directory: String, config: EngineConfig, files: SegmentFileCache, syncer: LogSyncer,
                       clock: any WallClock, logger: Logger) throws(WharfError) -> TopicState {
        let durable = DurableFile(faults: config.faults)
        let scratch = ScratchDirectory(inside: (directory as NSString).deletingLastPathComponent, files: durable)
        let staging = try scratch.makeStaging()
        do throws(WharfError) {
            try meta.save(to: staging, files: durable)
            for p in 0..<meta.partitions { try durable.makeDirectory(staging + "/\(p)") }
        } catch {
            try? durable.removeTree(staging)
            throw error
        }
        try scratch.publish(staging, as: directory)
        do throws(WharfError) {
            return try open(meta: meta, directory: directory, config: config, files: files, syncer: syncer, clock: clock, logger: logger)
        } catch {
            try? scratch.discard(directory, logger: logger)
            throw error
        }
    }
}
