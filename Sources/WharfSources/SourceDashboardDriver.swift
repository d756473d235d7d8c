import Foundation
import WharfAdmin
import WharfCore
import WharfDashboard
import WharfKafkaClient

/// The dashboard over any `ClusterSource` (the embedded engine, a Kafka cluster): snapshots
/// mapped from the source's reports, and every effect run through the source's operations by
/// one handler (`perform`, `SourceDashboardDriver+Effects.swift`) with one undo and one message
/// catalogue (`DriverMessages`). The engine-only panels (queues, event streams, projections) come
/// in `panels`; outboxes in `outboxes` (the demo's, `--outbox URL`).
///
/// With `waitBudgetMs` (a remote cluster), a refresh runs in the background: `snapshot()` starts
/// one when none is running and waits for it only briefly, so a slow or unreachable cluster never
/// freezes the keyboard. When a refresh fails, the last good snapshot is shown again with
/// `sourceProblem` saying why, and the next tick tries again. Without it (the embedded engine,
/// which answers at once), every snapshot is read in place.
public actor SourceDashboardDriver<Source: ClusterSource>: DashboardDriver {
    public let source: Source
    /// The source's name in the header ("demo · /tmp/x", "kafka host:9092").
    public let label: String
    public let panels: EnginePanels
    public let outboxes: [DashboardOutbox]
    /// The listeners this process serves beside the dashboard (none over a cluster).
    public let listeners: @Sendable () -> [ListenerStatus]
    public nonisolated let capabilities: SourceCapabilities

    /// How long `snapshot()` waits for a refresh before showing the previous snapshot again; nil:
    /// until it is read.
    public let waitBudgetMs: Int64?
    /// The first snapshot waits longer, so the first frame has data when the cluster is up.
    public let firstWaitBudgetMs: Int64

    /// The last snapshot read (nil before the first success).
    public var latest: ClusterSnapshot?
    /// The last refresh failure, shown until a refresh succeeds.
    public var problem: SourceProblem?
    var failuresInARow = 0
    var refreshInFlight: Task<Void, Never>?
    /// The outboxes as last read (in each refresh, before the source is asked).
    var outboxSnapshots: [OutboxSnapshot]?
    /// The offsets a reset replaced, so `u` can put them back.
    var lastReset: (group: String, rows: [WharfAdmin.ResetPlanRow])?
    /// Dead-letter topic verdicts and summaries, read again only when a topic changed.
    var deadLetterTopics = DeadLetterTopicCache()
    /// Top dead-letter reasons per queue entity, recounted only when the entity changed.
    var reasonCache: [String: ReasonSample] = [:]

    /// - Parameter readOnly: takes every operation that changes data away (`SourceCapabilities.dangerous`).
    public init(source: Source, label: String, readOnly: Bool, panels: EnginePanels = EnginePanels(), outboxes: [DashboardOutbox] = [],
                listeners: @escaping @Sendable () -> [ListenerStatus] = { [] }, waitBudgetMs: Int64? = nil, firstWaitBudgetMs: Int64 = 3_000) {
        self.source = source
        self.label = label
        self.panels = panels
        self.outboxes = outboxes
        self.listeners = listeners
        self.waitBudgetMs = waitBudgetMs
        self.firstWaitBudgetMs = firstWaitBudgetMs
        capabilities = Self.capabilities(of: source, readOnly: readOnly)
    }

    /// What the dashboard may do on `source`: its own set, without the dangerous operations under `--read-only`.
    public static func capabilities(of source: Source, readOnly: Bool) -> SourceCapabilities {
        readOnly ? source.capabilities.subtracting(.dangerous) : source.capabilities
    }

    public func snapshot() async -> ClusterSnapshot {
        guard let budget = waitBudgetMs else {
            await refreshOnce()
            return current()
        }
        if refreshInFlight == nil {
            refreshInFlight = Task { await self.refreshOnce() }
        }
        let wait = latest == nil && problem == nil ? firstWaitBudgetMs : budget
        let deadline = monotonicNanos() + UInt64(max(0, wait)) * 1_000_000
        while refreshInFlight != nil, monotonicNanos() < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return current()
    }

    /// What to show now: the last good snapshot, with the current problem if any.
    public func current() -> ClusterSnapshot {
        var snap = latest ?? ClusterSnapshot(timeMs: source.clock.nowMillis(), source: label, topics: [], groups: [])
        // Outboxes are local databases: they stay live while a cluster is unreachable.
        if !outboxes.isEmpty, let outboxSnapshots { snap.outboxes = outboxSnapshots }
        snap.sourceProblem = problem ?? (latest == nil ? SourceProblem(badge: "CONNECTING", text: "connecting to \(label)…") : nil)
        return snap
    }

    private func refreshOnce() async {
        if !outboxes.isEmpty {
            var read: [OutboxSnapshot] = []
            for o in outboxes { read.append(await o.snapshot()) }
            outboxSnapshots = read
        }
        do {
            latest = try await readSnapshot()
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
            problem = SourceProblem(badge: offline ? "OFFLINE" : "STALE", text: "\(DriverMessages.describe(error)) · try \(failuresInARow + 1)\(since)")
        }
        refreshInFlight = nil
    }

    /// One refresh of everything the dashboard shows, read now (the benchmark's unit of work).
    public func readSnapshot() async throws -> ClusterSnapshot {
        let overview = try await source.readOverview()
        let topicDeadLetters = await deadLetterTopicSnapshots(overview.topics)
        let deadLetters = panels.queues.map { deadLetterSnapshots($0) + topicDeadLetters } ?? (topicDeadLetters.isEmpty ? nil : topicDeadLetters)
        // A cluster's volumes belong to brokers; the engine's is its data directory, named in the header.
        let byBroker = overview.disk?.broker != nil
        return ClusterSnapshot(timeMs: overview.timeMs, source: overview.sourceDetail.map { "\(label) · \($0)" } ?? label, listeners: listeners(),
                               topics: overview.topics.map(TopicSnapshot.init), groups: overview.groups.map(GroupSnapshot.init),
                               deadLetters: deadLetters, queues: panels.queues.map(Self.queueSnapshots), events: eventsSnapshot(),
                               disk: overview.disk.map { DiskSnapshot($0.volume, location: $0.broker.map { "broker \($0)" }) },
                               brokers: overview.brokers.map { BrokerSnapshot($0, diskLocation: byBroker ? "broker \($0.id)" : nil) })
    }

    /// Stops a refresh in flight (after the terminal app returns); the caller closes the source's connections.
    public func close() {
        refreshInFlight?.cancel()
    }
}
