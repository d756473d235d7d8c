import WharfAdmin

/// Where outbox rows live: one implementation per database (SQLite through GRDB, PostgreSQL
/// through postgres-nio), driven by the same relay and tested by the same scenarios.
///
/// No method uses an "id greater than last seen" watermark: every poll looks for rows whose
/// `published_at` is NULL, so a row whose transaction commits late is still found.
public protocol OutboxStore: Sendable {
    /// The outbox table's name.
    var table: TableName { get }
    /// A printable name of the database (URL without password).
    var databaseName: String { get }

    /// Creates or upgrades the table (an append-only list of migrations).
    func migrate() async throws

    /// Fails with `OutboxError.missingTable` when the table is not there.
    func checkTable() async throws

    /// Claims up to `limit` publishable rows in `seq` order, hands them to `body` (which
    /// publishes them), and applies the outcomes `body` returns, keyed by `seq`. A row is
    /// publishable when it is neither published nor dead, is due (`next_attempt_at <= now`),
    /// and no earlier unpublished row of its aggregate is dead or waiting for a retry.
    /// If `body` throws, nothing is marked (the rows stay pending and are claimed again).
    /// Returns how many rows were claimed.
    ///
    /// PostgreSQL claims with `FOR UPDATE SKIP LOCKED` in one transaction that also marks, and
    /// keeps only rows whose earlier unpublished rows of the same aggregate it holds too, so
    /// several relays never reorder an aggregate.
    @discardableResult
    func withClaimedBatch(limit: Int, now: Int64,
                          _ body: @Sendable ([OutboxRow]) async throws -> [Int64: RowOutcome]) async throws -> Int

    /// Counts read from the table.
    func counts(now: Int64) async throws -> OutboxCounts

    /// The dead rows, oldest first.
    func deadRows(limit: Int) async throws -> [OutboxDeadRow]

    /// The newest rows, newest first, at most `limit` (the dashboard's outbox rows view).
    func recentRows(limit: Int) async throws -> [OutboxRowState]

    /// The row whose event id is `id`, if the table has it (the first hop of a trace).
    func row(id: String) async throws -> OutboxRowState?

    /// Makes dead rows pending again with their attempts reset. Returns how many.
    @discardableResult
    func retryDead() async throws -> Int

    /// Deletes rows published before `before` (ms). Returns how many.
    @discardableResult
    func deletePublished(before: Int64) async throws -> Int

    /// Releases connections.
    func close() async throws
}
