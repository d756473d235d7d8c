import GRDB

/// The checkpoints, in the read model's own database so that they commit with it:
///
///     wharf_projections(name TEXT PRIMARY KEY,      -- the projection
///                       position INTEGER,           -- $all position of the last applied event, NULL: none
///                       processed INTEGER,          -- events of the source applied
///                       rebuild_target INTEGER,     -- while rebuilding: the source's head when it began
///                       rebuild_requested INTEGER,  -- 1: `wharf projection rebuild` asked for one
///                       updated_at INTEGER)         -- ms
///
/// Several projections may share one database file (one row each).
enum ProjectionCheckpointTable {
    static let name = "wharf_projections"

    struct Row: Equatable, Sendable {
        var cursor: ProjectionCursor
        var rebuildTarget: UInt64?
        var rebuildRequested: Bool
        var updatedAt: Int64
    }

    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(name) (
              name TEXT PRIMARY KEY NOT NULL,
              position INTEGER,
              processed INTEGER NOT NULL DEFAULT 0,
              rebuild_target INTEGER,
              rebuild_requested INTEGER NOT NULL DEFAULT 0,
              updated_at INTEGER NOT NULL DEFAULT 0)
            """)
    }

    static func load(_ db: Database, projection: String) throws -> Row? {
        guard try db.tableExists(name) else { return nil }
        guard let r = try GRDB.Row.fetchOne(db, sql: """
            SELECT position, processed, rebuild_target, rebuild_requested, updated_at FROM \(name) WHERE name = ?
            """, arguments: [projection]) else { return nil }
        let position: Int64? = r["position"]
        let processed: Int64 = r["processed"]
        let target: Int64? = r["rebuild_target"]
        let requested: Int64 = r["rebuild_requested"]
        return Row(cursor: ProjectionCursor(position: position.map { UInt64($0) }, processed: UInt64(processed)),
                   rebuildTarget: target.map { UInt64($0) }, rebuildRequested: requested != 0, updatedAt: r["updated_at"])
    }

    static func save(_ db: Database, projection: String, _ row: Row) throws {
        try db.execute(sql: """
            INSERT INTO \(name) (name, position, processed, rebuild_target, rebuild_requested, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(name) DO UPDATE SET position = excluded.position, processed = excluded.processed,
              rebuild_target = excluded.rebuild_target, rebuild_requested = excluded.rebuild_requested,
              updated_at = excluded.updated_at
            """, arguments: [projection, row.cursor.position.map { Int64($0) }, Int64(row.cursor.processed),
                             row.rebuildTarget.map { Int64($0) }, row.rebuildRequested ? 1 : 0, row.updatedAt])
    }

    /// Marks a rebuild as requested (by a process that cannot run the projection's reset itself).
    static func requestRebuild(_ db: Database, projection: String) throws {
        try create(db)
        try db.execute(sql: """
            INSERT INTO \(name) (name, rebuild_requested) VALUES (?, 1)
            ON CONFLICT(name) DO UPDATE SET rebuild_requested = 1
            """, arguments: [projection])
    }
}
