import WharfCore

/// Opens the store a `--db` URL names.
public enum OutboxStores {
    /// `create`: for `init`, create a missing SQLite file; otherwise a missing file is an error.
    public static func open(_ url: OutboxDatabaseURL, table: String = "outbox", create: Bool = false,
                            clock: any WallClock = SystemClock()) async throws -> any OutboxStore {
        switch url {
        case .sqlite(let path):
            return try SQLiteOutboxStore.open(path: path, table: table, create: create, clock: clock)
        case .postgres(let u):
            return try await PostgresOutboxStore.connect(u, table: table, clock: clock)
        }
    }
}
