import Logging
import Synchronization
import WharfCore

/// Publishes outbox rows into topics, at least once, keeping each aggregate's order.
///
/// One poll: claim a batch of publishable rows (see `OutboxStore.withClaimedBatch`), turn them
/// into records, publish each topic's records in one append, and only after the broker
/// acknowledged mark them published. A crash between the acknowledgement and the marking
/// publishes them again on the next poll (a duplicate, which consumers drop with an inbox),
/// never loses them. A failed row is retried with exponential back-off; after
/// `maxAttempts` failures it is dead. A failing or dead row blocks the later rows of its own
/// aggregate (order per aggregate), never those of other aggregates.
///
/// Thread-safety: all mutable state is in one mutex; `run()` is meant to be called once, while
/// `pause()`, `resume()` and `metrics()` may be called from anywhere.
public final class OutboxRelay: Sendable {
    public let store: any OutboxStore
    public let publisher: any OutboxPublisher
    public let config: OutboxRelayConfig
    let clock: any WallClock
    let logger: Logger
    let hooks: OutboxRelayHooks
    private let status = Mutex(Status())

    struct Status {
        var paused = false
        var state = RelayState.stopped
        var publishedTotal: Int64 = 0
        var failuresTotal: Int64 = 0
        var deadTotal: Int64 = 0
        var lastError: String?
        var lastPollAtMs: Int64?
        var lastCleanupAtMs: Int64?
    }

    /// What one poll did.
    public struct PollResult: Sendable, Equatable {
        public var claimed = 0
        public var published = 0
        public var failed = 0
        public var dead = 0
        /// The last row failure of this poll, if any.
        public var lastError: String?
    }

    public init(store: any OutboxStore, publisher: any OutboxPublisher, config: OutboxRelayConfig = OutboxRelayConfig(),
                clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "wharf.outbox"),
                hooks: OutboxRelayHooks = OutboxRelayHooks()) {
        self.store = store
        self.publisher = publisher
        self.config = config
        self.clock = clock
        self.logger = logger
        self.hooks = hooks
    }

    // MARK: Polling

    /// Claims, publishes and marks one batch. Throws when the store fails or a hook simulates a
    /// crash (then nothing of this batch is marked).
    @discardableResult
    public func pollOnce() async throws -> PollResult {
        let now = clock.nowMillis()
        let result = Mutex(PollResult())
        let claimed = try await store.withClaimedBatch(limit: config.batchSize, now: now) { [self] rows in
            let outcomes = await publish(rows, now: now)
            try hooks.afterAcknowledged?(rows.filter { outcomes[$0.seq] == .published })
            result.withLock { r in
                for o in outcomes.values {
                    switch o {
                    case .published: r.published += 1
                    case .failed(let error, _, let dead):
                        r.failed += 1
                        r.lastError = error
                        if dead { r.dead += 1 }
                    }
                }
            }
            return outcomes
        }
        var r = result.withLock { $0 }
        r.claimed = claimed
        let done = clock.nowMillis()
        status.withLock { s in
            s.publishedTotal += Int64(r.published)
            s.failuresTotal += Int64(r.failed)
            s.deadTotal += Int64(r.dead)
            s.lastPollAtMs = done
        }
        return r
    }

    /// Publishes rows in `seq` order, one append per topic; on a failed append, falls back to
    /// one row at a time so a poison row is isolated. Rows after a failed row of the same
    /// aggregate are left untouched (they stay pending, not counted as attempts).
    func publish(_ rows: [OutboxRow], now: Int64) async -> [Int64: RowOutcome] {
        var outcomes: [Int64: RowOutcome] = [:]
        var blocked = Set<AggregateKey>()
        func fail(_ row: OutboxRow, _ error: String) {
            let attempts = row.attempts + 1
            let dead = attempts >= config.maxAttempts
            outcomes[row.seq] = .failed(error: String(error.prefix(1000)), retryAt: now + config.backoffMs(afterAttempts: attempts), dead: dead)
            blocked.insert(row.aggregate)
            logger.warning("outbox row failed", metadata: ["id": "\(row.id)", "attempts": "\(attempts)", "dead": "\(dead)", "error": "\(error)"])
        }
        var byTopic: [(topic: String, items: [(row: OutboxRow, record: Record)])] = []
        var topicIndex: [String: Int] = [:]
        for row in rows where !blocked.contains(row.aggregate) {
            do {
                let record = try OutboxRecordMapping.record(for: row)
                let topic = config.topic(row.aggregateType)
                if let i = topicIndex[topic] { byTopic[i].items.append((row, record)) } else {
                    topicIndex[topic] = byTopic.count
                    byTopic.append((topic, [(row, record)]))
                }
            } catch {
                fail(row, error.description)
            }
        }
        for (topic, allItems) in byTopic {
            let items = allItems.filter { !blocked.contains($0.row.aggregate) }
            guard !items.isEmpty else { continue }
            do {
                try await publishChecked(topic: topic, items.map(\.row), items.map(\.record))
                for item in items { outcomes[item.row.seq] = .published }
            } catch {
                // Isolate the failing rows: one append each, in order, skipping blocked aggregates.
                for item in items where !blocked.contains(item.row.aggregate) {
                    do {
                        try await publishChecked(topic: topic, [item.row], [item.record])
                        outcomes[item.row.seq] = .published
                    } catch {
                        fail(item.row, "\(error)")
                    }
                }
            }
        }
        return outcomes
    }

    private func publishChecked(topic: String, _ rows: [OutboxRow], _ records: [Record]) async throws {
        try hooks.beforePublish?(topic, rows)
        try await publisher.publish(topic: topic, records: records)
    }

    // MARK: Running

    /// Polls until the task is cancelled, then finishes the poll in flight and returns (state
    /// `stopped`). Polls again at once
    /// after a full batch, else sleeps `pollIntervalMs`; deletes expired published rows every
    /// `cleanupIntervalMs`. Errors are logged and shown as state `failing`, and the loop goes on.
    public func run() async {
        status.withLock { $0.state = $0.paused ? .paused : .running }
        while !Task.isCancelled {
            if status.withLock({ $0.paused }) {
                status.withLock { $0.state = .paused }
                if !(await sleep(config.pollIntervalMs)) { break }
                continue
            }
            var full = false
            do {
                // In a task of its own, which cancellation does not reach: a stop lets the poll in
                // flight finish marking what the broker acknowledged (else the rows would be
                // published again after a restart: still at-least-once, but needless duplicates).
                let r = try await Task { try await self.pollOnce() }.value
                full = r.claimed >= config.batchSize
                status.withLock { s in
                    s.state = s.paused ? .paused : (r.failed > 0 ? .failing : .running)
                    s.lastError = r.lastError
                }
                try await cleanupIfDue()
            } catch {
                logger.error("outbox relay poll failed", metadata: ["error": "\(error)"])
                status.withLock { s in
                    s.state = .failing
                    s.lastError = "\(error)"
                }
            }
            if !full, !(await sleep(config.pollIntervalMs)) { break }
        }
        status.withLock { $0.state = .stopped }
    }

    /// Sleeps unless cancelled; false when cancelled.
    private func sleep(_ ms: Int64) async -> Bool {
        do { try await Task.sleep(for: .milliseconds(ms)) } catch { return false }
        return !Task.isCancelled
    }

    /// Deletes rows published more than `retentionMs` ago, if the cleanup interval has passed.
    @discardableResult
    public func cleanupIfDue() async throws -> Int {
        guard config.retentionMs >= 0 else { return 0 }
        let now = clock.nowMillis()
        let due = status.withLock { s in
            if let last = s.lastCleanupAtMs, now - last < config.cleanupIntervalMs, now >= last { return false }
            s.lastCleanupAtMs = now
            return true
        }
        guard due else { return 0 }
        return try await cleanup()
    }

    /// Deletes rows published more than `retentionMs` ago, now.
    @discardableResult
    public func cleanup() async throws -> Int {
        guard config.retentionMs >= 0 else { return 0 }
        let n = try await store.deletePublished(before: clock.nowMillis() - config.retentionMs)
        if n > 0 { logger.info("outbox cleanup", metadata: ["deleted": "\(n)"]) }
        return n
    }

    public func pause() { status.withLock { s in s.paused = true; if s.state != .stopped { s.state = .paused } } }
    public func resume() { status.withLock { s in s.paused = false; if s.state == .paused { s.state = .running } } }

    /// Revives dead rows (attempts reset); they are published by the next polls.
    @discardableResult
    public func retryDead() async throws -> Int { try await store.retryDead() }

    /// The table's counts and the relay's counters.
    public func metrics() async throws -> OutboxMetricsSnapshot {
        let now = clock.nowMillis()
        let counts = try await store.counts(now: now)
        let s = status.withLock { $0 }
        return OutboxMetricsSnapshot(outbox: "\(store.databaseName)/\(store.table.raw)", takenAtMs: now, counts: counts,
                                     publishedTotal: s.publishedTotal, failuresTotal: s.failuresTotal, deadTotal: s.deadTotal,
                                     state: s.state, lastError: s.lastError, lastPollAtMs: s.lastPollAtMs)
    }
}

/// Fault-injection points, for tests of crashes and poison rows. Each may throw.
public struct OutboxRelayHooks: Sendable {
    /// Before each append of `rows` to `topic` (a throw makes that append fail).
    public var beforePublish: (@Sendable (_ topic: String, _ rows: [OutboxRow]) throws -> Void)?
    /// After the broker acknowledged `rows`, before they are marked: a throw here is the relay
    /// dying between the acknowledgement and the marking (nothing of the batch is marked).
    public var afterAcknowledged: (@Sendable (_ rows: [OutboxRow]) throws -> Void)?

    public init(beforePublish: (@Sendable (String, [OutboxRow]) throws -> Void)? = nil,
                afterAcknowledged: (@Sendable ([OutboxRow]) throws -> Void)? = nil) {
        self.beforePublish = beforePublish
        self.afterAcknowledged = afterAcknowledged
    }
}
