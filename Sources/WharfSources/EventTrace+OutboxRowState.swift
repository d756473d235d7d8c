import WharfAdmin
import WharfOutbox

extension EventTrace.OutboxRow {
    /// The row as the trace shows it, from the outbox named `outbox`.
    init(_ row: OutboxRowState, outbox: String) {
        self.init(outbox: outbox, id: row.id, aggregateType: row.aggregateType, aggregateId: row.aggregateId, type: row.type,
                  createdAtMs: row.createdAtMs, publishedAtMs: row.publishedAtMs, attempts: row.attempts, status: row.status.rawValue,
                  lastError: row.lastError)
    }
}
