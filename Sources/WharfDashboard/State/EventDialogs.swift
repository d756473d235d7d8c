/// Rebuild a projection: the dialog shows what will happen (read model emptied, checkpoint
/// back to the start, how many events replayed) and needs the projection's name typed.
public struct RebuildDialog: Equatable, Sendable {
    public var projection: String
    public var source: String
    public var database: String?
    public var processed: UInt64
    public var head: UInt64
    public var confirmation = TextInput()
    public var error: String?

    public init(projection: String, source: String, database: String?, processed: UInt64, head: UInt64) {
        self.projection = projection
        self.source = source
        self.database = database
        self.processed = processed
        self.head = head
    }
}

/// Replay the parked events of a persistent subscription: y/n.
public struct ReplayParkedDialog: Equatable, Sendable {
    public var group: String
    public var source: String
    public var parked: UInt64

    public init(group: String, source: String, parked: UInt64) {
        self.group = group
        self.source = source
        self.parked = parked
    }
}
