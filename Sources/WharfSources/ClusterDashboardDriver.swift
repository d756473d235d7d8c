import Foundation
import WharfAdmin
import WharfCore
import WharfDashboard
import WharfEngine
import WharfKafkaClient

/// The dashboard's view of a Kafka-protocol cluster (Apache Kafka, a remote `wharf serve`...):
/// snapshots built from batched Metadata, ListOffsets, ListGroups, DescribeGroups and
/// OffsetFetch, and effects run over the wire with the same rules as `--bootstrap` commands.
///
/// A refresh runs in the background: `snapshot()` starts one when none is running and waits
/// for it only briefly, so a slow or unreachable cluster never freezes the keyboard. When a
/// refresh fails, the last good snapshot is shown again with `sourceProblem` saying why, and
/// the next tick tries again.
public actor ClusterDashboardDriver: DashboardDriver {
    public let client: KafkaClient
    public let source: String
    public nonisolated let capabilities: SourceCapabilities
    public let clock: any WallClock
    /// Application outboxes relayed into the cluster (`--outbox URL`), shown in the Outbox view.
    public let outboxes: [DashboardOutbox]

    /// The last snapshot read from the cluster (nil before the first success).
    public var latest: ClusterSnapshot?
    /// The last refresh failure, shown until a refresh succeeds.
    public var problem: SourceProblem?
    public var failuresInARow = 0
    public var refreshInFlight: Task<Void, Never>?
    /// The outboxes as last read (in each refresh, before the cluster is asked).
    public var outboxSnapshots: [OutboxSnapshot]?
    /// Timestamps of the first unconsumed record per partition and position.
    public var timeLag = TimeLagCache()
    public var retention = RetentionCache()
    /// Dead-letter topic verdicts and summaries, read again only when a topic changed.
    public var deadLetterTopicCache: [String: EngineDashboardDriver.DeadLetterTopicSample] = [:]
    /// The offsets a reset replaced, so `u` can put them back.
    public var lastReset: (group: String, rows: [WharfAdmin.ResetPlanRow])?

    /// How long `snapshot()` waits for a refresh before showing the previous snapshot again.
    public let waitBudgetMs: Int64
    /// The first snapshot waits longer, so the first frame has data when the cluster is up.
    public let firstWaitBudgetMs: Int64

    public init(client: KafkaClient, source: String, readOnly: Bool, clock: any WallClock = SystemClock(), outboxes: [DashboardOutbox] = [],
         waitBudgetMs: Int64 = 300, firstWaitBudgetMs: Int64 = 3_000) {
        self.client = client
        self.outboxes = outboxes
        self.source = source
        self.clock = clock
        self.waitBudgetMs = waitBudgetMs
        self.firstWaitBudgetMs = firstWaitBudgetMs
        capabilities = Self.capabilities(readOnly: readOnly)
    }

    /// What the dashboard may do on a cluster. Over the wire there are no queues or event streams
    /// (outboxes only those given with --outbox, relayed into the cluster), and a live group
    /// cannot be fenced (`.resetLiveGroups` is absent); dead-letter *topics* still browse, requeue
    /// and purge (purge deletes records: no undo).
    public static func capabilities(readOnly: Bool) -> SourceCapabilities {
        readOnly ? [.browseRecords, .browseDeadLetters]
                 : [.reset, .undoReset, .purge, .browseRecords, .browseDeadLetters, .requeue, .purgeQueue, .manageTopics, .outboxControl]
    }

    public func snapshot() async -> ClusterSnapshot {
        if refreshInFlight == nil {
            refreshInFlight = Task { await self.refreshOnce() }
        }
        let budget = latest == nil && problem == nil ? firstWaitBudgetMs : waitBudgetMs
        let deadline = monotonicNanos() + UInt64(budget) * 1_000_000
        while refreshInFlight != nil, monotonicNanos() < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return current()
    }

    /// What to show now: the last good snapshot, with the current problem if any.
    public func current() -> ClusterSnapshot {
        var snap = latest ?? ClusterSnapshot(timeMs: clock.nowMillis(), source: source, topics: [], groups: [])
        // Outboxes are local databases: they stay live while the cluster is unreachable.
        if !outboxes.isEmpty, let outboxSnapshots { snap.outboxes = outboxSnapshots }
        snap.sourceProblem = problem ?? (latest == nil ? SourceProblem(badge: "CONNECTING", text: "connecting to \(source)…") : nil)
        return snap
    }

    private func refreshOnce() async {
        if !outboxes.isEmpty {
            var read: [OutboxSnapshot] = []
            for o in outboxes { read.append(await o.snapshot()) }
            outboxSnapshots = read
        }
        do {
            let snap = try await readCluster()
            latest = snap
            problem = nil
            failuresInARow = 0
        } catch {
            failuresInARow += 1
            // Most important first: the status line is cut at the screen's width.
            let since = latest.map { " · data from " + Format.clock(ms: $0.timeMs) } ?? ""
            // No connection at all is OFFLINE; an answer that was an error leaves the data STALE.
            let offline: Bool
            switch error as? KafkaClientError {
            case .unreachable?, .connectionClosed?, .timeout?, .tls?, .authentication?: offline = true
            default: offline = false
            }
            problem = SourceProblem(badge: offline ? "OFFLINE" : "STALE", text: "\(Self.describe(error)) · try \(failuresInARow + 1)\(since)")
        }
        refreshInFlight = nil
    }

    public static func describe(_ error: any Error) -> String {
        if let e = error as? KafkaClientError { return "\(e)" }
        if let e = error as? WharfError { return "\(e)" }
        return "\(error)"
    }

    /// Closes the cluster connections (after the terminal app returns).
    public func close() async {
        refreshInFlight?.cancel()
        await client.close()
    }
}
