import WharfEvents

/// A projection as `wharf projection list|describe --json` prints it (a contract scripts rely on).
public struct ProjectionStatusReport: Encodable, Sendable, Equatable {
    public let name: String
    public let source: String
    public let database: String
    public let state: String
    public let error: String?
    public let checkpoint: UInt64?
    public let processed: UInt64
    public let head: UInt64
    public let lagEvents: UInt64
    public let lagSeconds: Double
    public let rebuildDone: UInt64?
    public let rebuildTotal: UInt64?
    public let rebuildRequested: Bool

    public init(_ s: ProjectionStatus) {
        name = s.name
        source = s.source.description
        database = s.databasePath
        state = s.stateName
        error = s.state.faultMessage
        checkpoint = s.cursor.position
        processed = s.cursor.processed
        head = s.head
        lagEvents = s.lag.events
        lagSeconds = s.lag.seconds
        rebuildDone = s.rebuild?.done
        rebuildTotal = s.rebuild?.total
        rebuildRequested = s.rebuildRequested
    }
}
