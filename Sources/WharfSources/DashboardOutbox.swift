import Foundation
import WharfCore
import WharfDashboard
import WharfOutbox
import WharfStorage

/// An outbox the dashboard shows: its store (for the table's counts and retry-dead) and, when
/// the dashboard relays it, the relay (for its counters, state, and pause/resume).
///
/// Thread-safety: immutable; the relay and the store are Sendable and safe to call from any task.
public struct DashboardOutbox: Sendable {
    /// The name the dashboard shows and effects address.
    public let name: String
    public let location: String
    public let store: any OutboxStore
    /// nil: watched only (no relay runs for it in this process).
    public let relay: OutboxRelay?
    public let clock: any WallClock
    /// Where pause, resume and retry-dead are recorded (the data directory's audit log; nil
    /// for a cluster source, which has none).
    public let audit: AuditLog?

    public init(name: String, location: String, store: any OutboxStore, relay: OutboxRelay?, clock: any WallClock,
                audit: AuditLog? = nil) {
        self.audit = audit
        self.name = name
        self.location = location
        self.store = store
        self.relay = relay
        self.clock = clock
    }

    /// The outbox now; a database that cannot be read shows as a failing relay with the error.
    public func snapshot() async -> OutboxSnapshot {
        do {
            if let relay {
                let m = try await relay.metrics()
                return OutboxSnapshot(
                    name: name, location: location, pending: Int64(m.pending),
                    oldestAgeMs: m.pending > 0 ? m.oldestPendingAgeMs : nil, dead: Int64(m.dead), failing: Int64(m.failures),
                    publishedTotal: m.publishedTotal, failuresTotal: m.failuresTotal, relay: Self.status(m.state),
                    lastError: m.lastError)
            }
            let c = try await store.counts(now: clock.nowMillis())
            return OutboxSnapshot(name: name, location: location, pending: Int64(c.pending),
                                  oldestAgeMs: c.pending > 0 ? c.oldestPendingAgeMs : nil, dead: Int64(c.dead),
                                  failing: Int64(c.failures), relay: .stopped)
        } catch {
            return OutboxSnapshot(name: name, location: location, pending: 0, relay: .failing, lastError: "\(error)")
        }
    }

    public static func status(_ state: RelayState) -> OutboxRelayStatus {
        switch state {
        case .running: .running
        case .paused: .paused
        case .failing: .failing
        case .stopped: .stopped
        }
    }

    /// Runs a pause/resume or retry-dead effect on this outbox.
    public func perform(_ effect: Effect) async throws -> Action? {
        switch effect {
        case .setOutboxRelayPaused(_, let paused):
            guard let relay else { return .operationFailed("no relay runs for \(name) here") }
            if paused { relay.pause() } else { relay.resume() }
            audit?.record(.thisProcess, action: paused ? AuditAction.outboxPause : AuditAction.outboxResume, target: "outbox:\(name)")
            return .operationSucceeded(paused ? "paused the relay of \(name): its backlog now grows"
                                              : "resumed the relay of \(name)")
        case .retryDeadOutboxRows:
            let n: Int
            do { n = try await store.retryDead() } catch {
                audit?.record(.thisProcess, action: AuditAction.outboxRetryDead, target: "outbox:\(name)", result: "\(error)")
                throw error
            }
            audit?.record(.thisProcess, action: AuditAction.outboxRetryDead, target: "outbox:\(name)", after: ["retried": String(n)])
            return .operationSucceeded(n == 0 ? "\(name) had no dead rows"
                                              : "retried \(CountText.of(n, "dead row")) of \(name): pending again")
        default:
            return nil
        }
    }
}

extension DashboardOutbox {
    /// The newest `max` rows, newest first, as the outbox rows view lists them.
    public func recentRows(max: Int) async throws -> [OutboxRowSnapshot] {
        try await store.recentRows(limit: max).map { r in
            OutboxRowSnapshot(id: r.id, aggregate: "\(r.aggregateType)/\(r.aggregateId)", type: r.type, status: r.status.rawValue,
                              attempts: r.attempts, createdAtMs: r.createdAtMs, publishedAtMs: r.publishedAtMs, lastError: r.lastError)
        }
    }
}
