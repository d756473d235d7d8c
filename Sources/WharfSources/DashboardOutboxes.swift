import Foundation
import Logging
import Synchronization
import WharfCore
import WharfEngine
import WharfOutbox
import WharfStorage

/// The outboxes `wharf --outbox URL` (repeatable) names: each is relayed into the dashboard's
/// data directory while the dashboard runs (the dashboard holds the directory's lock, so no
/// other relay could publish there meanwhile) and shown in the Outbox view. Under `--read-only`
/// they are only watched: no relay runs, nothing is published.
///
/// Thread-safety: the relay tasks are kept behind a mutex; `start` and `stop` may race safely.
public final class DashboardOutboxes: Sendable {
    public let outboxes: [DashboardOutbox]
    private let tasks = Mutex<[Task<Void, Never>]>([])

    private init(outboxes: [DashboardOutbox]) {
        self.outboxes = outboxes
    }

    /// Opens every URL and checks its table (a missing one is a one-line error, and nothing is
    /// left open). The relays start with `start()`.
    public static func open(urls: [String], engine: Engine, readOnly: Bool) async throws -> DashboardOutboxes {
        try await open(urls: urls, publisher: EngineOutboxPublisher(engine: engine), clock: engine.clock, readOnly: readOnly,
                       audit: engine.audit)
    }

    /// The same, relaying through `publisher` (the engine, or a Kafka cluster with `--bootstrap`).
    public static func open(urls: [String], publisher: any OutboxPublisher, clock: any WallClock, readOnly: Bool,
                            audit: AuditLog? = nil) async throws -> DashboardOutboxes {
        var opened: [DashboardOutbox] = []
        do {
            for text in urls {
                let url = try OutboxDatabaseURL(parsing: text)
                let store = try await OutboxStores.open(url, clock: clock)
                do { try await store.checkTable() } catch {
                    try? await store.close()
                    throw error
                }
                let relay = readOnly ? nil : OutboxRelay(store: store, publisher: publisher,
                                                         config: OutboxRelayConfig(), clock: clock,
                                                         logger: Logger(label: "wharf.outbox"))
                var name = shortName(url)
                if opened.contains(where: { $0.name == name }) { name += "#\(opened.count + 1)" }
                opened.append(DashboardOutbox(name: name, location: "\(url) · table \(store.table.raw)", store: store,
                                              relay: relay, clock: clock, audit: audit))
            }
        } catch {
            for o in opened { try? await o.store.close() }
            throw error
        }
        return DashboardOutboxes(outboxes: opened)
    }

    /// Starts the relays (once).
    public func start() {
        tasks.withLock { tasks in
            guard tasks.isEmpty else { return }
            tasks = outboxes.compactMap { o in o.relay.map { relay in Task { await relay.run() } } }
        }
    }

    /// "app.db" for sqlite:/srv/app.db, the database name for PostgreSQL.
    public static func shortName(_ url: OutboxDatabaseURL) -> String {
        switch url {
        case .sqlite(let path): (path as NSString).lastPathComponent
        case .postgres(let u): u.database
        }
    }

    /// Stops the relays (each finishes the poll in flight) and closes the stores.
    public func stop() async {
        let running = tasks.withLock { $0 }
        for t in running { t.cancel() }
        for t in running { await t.value }
        for o in outboxes { try? await o.store.close() }
    }
}
