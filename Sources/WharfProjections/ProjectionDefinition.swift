import GRDB
import WharfEvents

/// A named projection, as an application defines it: what it reads and how it folds each event
/// into its SQLite read model.
///
/// `apply` runs inside the write transaction that also stores the checkpoint, for a batch of
/// events at a time; it must only write through the `Database` it is given (no other side
/// effects), so that a rolled-back batch leaves no trace. `setUp` creates the read model when it
/// is missing (it runs on every start: make it idempotent); `reset` drops the read model's data
/// for a rebuild (it runs in the same transaction as the checkpoint reset).
public struct ProjectionDefinition: Sendable {
    public typealias Apply = @Sendable (Database, RecordedEvent) throws -> Void
    public typealias Schema = @Sendable (Database) throws -> Void

    public var name: String
    public var source: ProjectionSource
    /// Who can rebuild it offline: a name the `wharf` binary knows (`ProjectionCatalog`), or nil
    /// when only the application that defines it can (the CLI then requests a rebuild instead).
    public var definitionId: String?
    public var setUp: Schema
    public var reset: Schema
    public var apply: Apply

    public init(name: String, source: ProjectionSource, definitionId: String? = nil,
                setUp: @escaping Schema, reset: @escaping Schema, apply: @escaping Apply) {
        self.name = name
        self.source = source
        self.definitionId = definitionId
        self.setUp = setUp
        self.reset = reset
        self.apply = apply
    }
}

/// Where the runner can be interrupted on purpose (tests): a throwing hook there rolls the
/// batch's transaction back, which is what SQLite recovery does to a transaction whose commit
/// never reached the disk.
public enum ProjectionFaultPoint: Sendable, Equatable {
    /// The batch's events are applied, the checkpoint is not yet written, nothing is committed.
    case afterApply(batch: Int)
    /// The checkpoint is written, nothing is committed yet.
    case beforeCommit(batch: Int)
}

public struct ProjectionOptions: Sendable {
    /// Events per transaction.
    public var batchSize: Int
    /// Awaited before each batch; lets a caller pace the projection (the demo makes it fall behind).
    public var beforeBatch: (@Sendable () async -> Void)?
    /// Fault injection for tests.
    public var fault: (@Sendable (ProjectionFaultPoint) throws -> Void)?

    public init(batchSize: Int = 256, beforeBatch: (@Sendable () async -> Void)? = nil,
                fault: (@Sendable (ProjectionFaultPoint) throws -> Void)? = nil) {
        self.batchSize = max(1, batchSize)
        self.beforeBatch = beforeBatch
        self.fault = fault
    }
}
