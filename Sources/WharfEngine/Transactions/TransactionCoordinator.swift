import Foundation
import Logging
import WharfCore
import WharfStorage

/// The transaction coordinator (Kafka's `TransactionCoordinator` and `TransactionStateManager`)
/// for every transactional id of this data directory: producer ids and epochs per
/// transactional id (a new InitProducerId fences the previous producer), the partitions and
/// offsets of each open transaction, and its end: COMMIT or ABORT markers written into every
/// partition it touched, then the offsets applied to their groups on commit.
///
/// Durable in `<data>/transactions.json`, rewritten atomically on every change of state
/// before the change is answered. A transaction is `prepareCommit`/`prepareAbort` on disk
/// before its first marker is written, so `recover` finishes one a crash interrupted; one
/// still `ongoing` at a restart is aborted (nothing in it was decided).
///
/// An actor on a queue of its own (`BlockingActorExecutor`), since its state writes and markers
/// block on the disk. Its jobs run one at a time, but the end of a transaction awaits the group
/// coordinator (the transaction's offsets), and other requests run meanwhile: `ending` is what
/// keeps one for the same transactional id from interleaving with that end.
public actor TransactionCoordinator {
    static let fileName = "transactions.json"

    private let executor = BlockingActorExecutor(label: "wharf.transaction-coordinator")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    let path: String
    let files: DurableFile
    let maxTimeoutMs: Int32
    let logger: Logger
    var transactions: [String: TransactionMetadata]
    var recovered = false
    /// Transactional ids whose end is in progress (`finish`): between its awaits, the actor
    /// takes other requests, and one for such an id is refused as Kafka refuses it while the
    /// transaction is `PrepareCommit`/`PrepareAbort` (CONCURRENT_TRANSACTIONS; clients retry).
    /// Otherwise an InitProducerId arriving then would end the transaction a second time, and
    /// the first end, resuming, would write back the old epoch over the new one: the new
    /// producer fenced, the zombie it was meant to fence let back in.
    var ending: Set<String> = []

    init(dataDirectory: String, files: DurableFile, maxTimeoutMs: Int32, logger: Logger) throws(WharfError) {
        path = dataDirectory + "/" + Self.fileName
        self.files = files
        self.maxTimeoutMs = maxTimeoutMs
        self.logger = logger
        let list = try Self.load(path)
        transactions = Dictionary(list.map { ($0.transactionalId, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The states in a `transactions.json` ([] if there is none).
    static func load(_ path: String) throws(WharfError) -> [TransactionMetadata] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        do {
            return try JSONDecoder().decode([TransactionMetadata].self, from: data)
        } catch {
            throw .corrupt("\(path) is not a transaction state file: \(error)")
        }
    }

    /// Every transactional id's state in `dataDirectory`, sorted by id, read without opening the
    /// engine (`wharf txn list` beside a running `wharf serve`): the file is replaced
    /// atomically, so a reader never sees half of one.
    public static func states(dataDirectory: String) throws(WharfError) -> [TransactionMetadata] {
        try load(dataDirectory + "/" + fileName).sorted { $0.transactionalId < $1.transactionalId }
    }

    /// Every transactional id's state, sorted by id (the dashboard, tests).
    public var all: [TransactionMetadata] { transactions.values.sorted { $0.transactionalId < $1.transactionalId } }

    func persist() throws(TransactionError) {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(all)
            try FileSystem.writeFileAtomically(path, Array(data), faults: files.faults)
        } catch let error as WharfError {
            throw .storage(error)
        } catch {
            throw .storage(.io("encoding \(path): \(error)"))
        }
    }

    /// What every request does first: finish what a crash left (`recover`), and refuse an id
    /// whose transaction is ending (`ending`).
    func ready(_ transactionalId: String, engine: Engine) async throws(TransactionError) {
        await recover(engine)
        guard !ending.contains(transactionalId) else {
            throw .concurrentTransactions("the transaction of '\(transactionalId)' is ending; retry")
        }
    }

    /// InitProducerId with a transactional id: the first one gets a fresh producer id at epoch
    /// 0; each later one bumps the epoch, fencing the previous producer, and aborts the
    /// transaction it left open. Past the largest epoch, a fresh producer id starts over at 0.
    /// `producerId`/`epoch` (v3+, KIP-360) name the caller's current producer, -1 for none.
    func initProducer(_ transactionalId: String, timeoutMs: Int32, producerId: Int64, epoch: Int16,
                      engine: Engine) async throws(TransactionError) -> (producerId: Int64, epoch: Int16) {
        try await ready(transactionalId, engine: engine)
        guard timeoutMs > 0, timeoutMs <= maxTimeoutMs else {
            throw .invalidTransactionTimeout("transaction.timeout.ms \(timeoutMs) is outside 1...\(maxTimeoutMs)")
        }
        guard var meta = transactions[transactionalId] else {
            let id: Int64
            do { id = try engine.allocateProducerId() } catch { throw .storage(error) }
            let meta = TransactionMetadata(transactionalId: transactionalId, producerId: id, epoch: 0, timeoutMs: timeoutMs, status: .empty,
                                           partitions: [], groups: [], offsets: [], startedMs: 0)
            transactions[transactionalId] = meta
            try persist()
            return (id, 0)
        }
        if producerId >= 0 {
            // KIP-360: a producer re-initializing must be the current one.
            guard producerId == meta.producerId, epoch == meta.epoch else {
                throw .producerFenced("producer \(producerId) epoch \(epoch) no longer holds '\(transactionalId)'")
            }
        }
        if meta.epoch >= Int16.max - 1 {
            do { meta.producerId = try engine.allocateProducerId() } catch { throw .storage(error) }
            meta.epoch = 0
        } else {
            meta.epoch += 1
        }
        meta.timeoutMs = timeoutMs
        if meta.status == .ongoing || meta.status == .prepareAbort {
            // The previous producer's transaction: aborted with the new epoch, which fences it.
            try await finish(&meta, commit: false, engine: engine)
        } else if meta.status == .prepareCommit {
            try await finish(&meta, commit: true, engine: engine)
        }
        transactions[transactionalId] = meta
        try persist()
        return (meta.producerId, meta.epoch)
    }

    /// The transaction of `transactionalId` as held by `producerId` at `epoch`, ready to take
    /// more partitions or offsets (it becomes `ongoing`).
    func openTransaction(_ transactionalId: String, _ producerId: Int64, _ epoch: Int16, now: Int64) throws(TransactionError) -> TransactionMetadata {
        guard var meta = transactions[transactionalId] else {
            throw .invalidProducerIdMapping("no transactional id '\(transactionalId)' (InitProducerId first)")
        }
        try meta.checkProducer(producerId, epoch)
        switch meta.status {
        case .prepareCommit, .prepareAbort:
            throw .invalidTxnState("transaction of '\(transactionalId)' is ending")
        case .empty, .completeCommit, .completeAbort:
            meta.status = .ongoing
            meta.startedMs = now
            meta.partitions = []
            meta.groups = []
            meta.offsets = []
        case .ongoing:
            break
        }
        return meta
    }

    /// AddPartitionsToTxn: the partitions join the open transaction (persisted before the
    /// producer is told it may write to them).
    func addPartitions(_ transactionalId: String, producerId: Int64, epoch: Int16, _ partitions: [TransactionPartition],
                       engine: Engine) async throws(TransactionError) {
        try await ready(transactionalId, engine: engine)
        var meta = try openTransaction(transactionalId, producerId, epoch, now: engine.clock.nowMillis())
        meta.partitions.formUnion(partitions)
        transactions[transactionalId] = meta
        try persist()
    }

    /// AddOffsetsToTxn: the group's offsets will be committed with the transaction.
    func addOffsets(_ transactionalId: String, producerId: Int64, epoch: Int16, group: String, engine: Engine) async throws(TransactionError) {
        try await ready(transactionalId, engine: engine)
        var meta = try openTransaction(transactionalId, producerId, epoch, now: engine.clock.nowMillis())
        meta.groups.insert(group)
        transactions[transactionalId] = meta
        try persist()
    }

    /// TxnOffsetCommit: offsets held in the transaction until it ends (applied on commit).
    func commitOffsets(_ transactionalId: String, producerId: Int64, epoch: Int16, group: String,
                       _ offsets: [TransactionalOffset], engine: Engine) async throws(TransactionError) {
        try await ready(transactionalId, engine: engine)
        guard var meta = transactions[transactionalId] else {
            throw .invalidProducerIdMapping("no transactional id '\(transactionalId)'")
        }
        try meta.checkProducer(producerId, epoch)
        guard meta.status == .ongoing, meta.groups.contains(group) else {
            throw .invalidTxnState("group '\(group)' is not in the open transaction of '\(transactionalId)' (AddOffsetsToTxn first)")
        }
        let replaced = Set(offsets.map { TransactionPartition(topic: $0.topic, partition: $0.partition) })
        meta.offsets.removeAll { $0.group == group && replaced.contains(TransactionPartition(topic: $0.topic, partition: $0.partition)) }
        meta.offsets += offsets
        transactions[transactionalId] = meta
        try persist()
    }

    /// EndTxn: commits or aborts the open transaction. A retry of an EndTxn already done
    /// answers success; ending a transaction that never began is INVALID_TXN_STATE.
    func end(_ transactionalId: String, producerId: Int64, epoch: Int16, commit: Bool, engine: Engine) async throws(TransactionError) {
        try await ready(transactionalId, engine: engine)
        guard var meta = transactions[transactionalId] else {
            throw .invalidProducerIdMapping("no transactional id '\(transactionalId)'")
        }
        try meta.checkProducer(producerId, epoch)
        switch (meta.status, commit) {
        case (.completeCommit, true), (.completeAbort, false):
            return
        case (.ongoing, _), (.prepareCommit, true), (.prepareAbort, false):
            try await finish(&meta, commit: commit, engine: engine)
            transactions[transactionalId] = meta
        case (.empty, false):
            // Aborting before anything was added: nothing to undo (librdkafka may send it).
            return
        default:
            throw .invalidTxnState("cannot \(commit ? "commit" : "abort") the transaction of '\(transactionalId)' in state \(meta.status)")
        }
    }

    /// Decides (persisted), writes the markers into every partition, applies the offsets on
    /// commit, then records the transaction complete. A failure leaves it `prepare...` on
    /// disk, finished by a retry or by `recover`.
    func finish(_ meta: inout TransactionMetadata, commit: Bool, engine: Engine) async throws(TransactionError) {
        let id = meta.transactionalId
        ending.insert(id)
        defer { ending.remove(id) }
        meta.status = commit ? .prepareCommit : .prepareAbort
        transactions[meta.transactionalId] = meta
        try persist()
        let marker: TransactionMarker = commit ? .commit : .abort
        for p in meta.partitions.sorted() {
            do throws(WharfError) {
                try engine.writeTransactionMarker(marker, topic: p.topic, partition: p.partition, producerId: meta.producerId, epoch: meta.epoch)
            } catch {
                switch error {
                case .unknownTopic, .unknownPartition:
                    continue  // deleted since: nothing left to mark
                default:
                    throw .storage(error)
                }
            }
        }
        if commit {
            let byGroup = Dictionary(grouping: meta.offsets, by: \.group)
            for (group, offsets) in byGroup.sorted(by: { $0.key < $1.key }) {
                var map: [TopicPartition: (offset: Int64, metadata: String)] = [:]
                for o in offsets { map[TopicPartition(o.topic, o.partition)] = (o.offset, o.metadata) }
                do throws(WharfError) { try await engine.coordinator.commitTransactional(groupId: group, offsets: map) } catch { throw .storage(error) }
            }
        }
        meta.status = commit ? .completeCommit : .completeAbort
        meta.partitions = []
        meta.groups = []
        meta.offsets = []
        transactions[meta.transactionalId] = meta
        try persist()
        logger.info("transaction ended", metadata: ["transactionalId": "\(meta.transactionalId)", "result": "\(commit ? "commit" : "abort")"])
    }

    /// Aborts transactions open longer than their timeout, bumping the epoch so the producer
    /// that let it lapse is fenced (as Kafka's coordinator does).
    func abortExpired(engine: Engine) async {
        await recover(engine)
        let now = engine.clock.nowMillis()
        for id in transactions.keys.sorted() {
            guard var meta = transactions[id], meta.status == .ongoing, now - meta.startedMs > Int64(meta.timeoutMs) else { continue }
            if meta.epoch < Int16.max - 1 { meta.epoch += 1 }
            do throws(TransactionError) {
                try await finish(&meta, commit: false, engine: engine)
                logger.warning("aborted a transaction past its timeout", metadata: ["transactionalId": "\(id)", "timeoutMs": "\(meta.timeoutMs)"])
            } catch {
                logger.error("could not abort an expired transaction", metadata: ["transactionalId": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// Once per process, before the first request: finishes what a crash interrupted after the
    /// decision (`prepare...`) and aborts what was still open (nothing in it was decided), with
    /// a bumped epoch so its producer cannot go on writing into it.
    func recover(_ engine: Engine) async {
        guard !recovered else { return }
        recovered = true
        for id in transactions.keys.sorted() {
            guard var meta = transactions[id] else { continue }
            let commit: Bool
            switch meta.status {
            case .prepareCommit: commit = true
            case .prepareAbort: commit = false
            case .ongoing:
                commit = false
                if meta.epoch < Int16.max - 1 { meta.epoch += 1 }
            default: continue
            }
            do throws(TransactionError) {
                try await finish(&meta, commit: commit, engine: engine)
                logger.warning("finished a transaction left open by the previous run",
                               metadata: ["transactionalId": "\(id)", "result": "\(commit ? "commit" : "abort")"])
            } catch {
                recovered = false  // tried again on the next request or maintenance
                logger.error("could not finish a transaction left open", metadata: ["transactionalId": "\(id)", "error": "\(error)"])
            }
        }
        if recovered { endHangingTransactions(engine) }
    }

    /// A partition can hold an open transaction no coordinator state accounts for: its marker
    /// was lost (written under `--fsync interval` before a power cut, while the coordinator's
    /// state was already durable) or the state file was replaced. Its LSO would never move, so
    /// the sweep ends it: with a COMMIT when the producer's last transaction committed, else an
    /// ABORT (nothing else can still commit it).
    func endHangingTransactions(_ engine: Engine) {
        let byProducer = Dictionary(transactions.values.map { ($0.producerId, $0) }, uniquingKeysWith: { a, _ in a })
        for open in engine.openTransactionsEverywhere() {
            let meta = byProducer[open.producerId]
            guard meta?.status != .ongoing else { continue }
            let marker: TransactionMarker = meta?.status == .completeCommit ? .commit : .abort
            do throws(WharfError) {
                try engine.writeTransactionMarker(marker, topic: open.partition.topic, partition: open.partition.partition,
                                                  producerId: open.producerId, epoch: max(open.epoch, meta?.epoch ?? 0))
                logger.warning("ended a transaction no coordinator state accounted for",
                               metadata: ["partition": "\(open.partition.topic)/\(open.partition.partition)", "producerId": "\(open.producerId)",
                                          "marker": "\(marker)"])
            } catch {
                logger.error("could not end a hanging transaction", metadata: ["producerId": "\(open.producerId)", "error": "\(error)"])
            }
        }
    }
}
