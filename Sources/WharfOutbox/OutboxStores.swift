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

extension OutboxStores {
    /// Opens the store; unless `create`, checks that the table exists (a clear error otherwise,
    /// with nothing left open).
    public static func openChecked(_ url: OutboxDatabaseURL, table: String = "outbox", create: Bool = false) async throws -> any OutboxStore {
        let store = try await open(url, table: table, create: create)
        if !create {
            do { try await store.checkTable() } catch {
                try? await store.close()
                throw error
            }
        }
        return store
    }

    /// Runs `body` with a store opened by `openChecked` and always closes it.
    public static func with<T>(_ url: OutboxDatabaseURL, table: String = "outbox", create: Bool = false,
                               _ body: (any OutboxStore) async throws -> T) async throws -> T {
        let store = try await openChecked(url, table: table, create: create)
        do {
            let result = try await body(store)
            try await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }
}
