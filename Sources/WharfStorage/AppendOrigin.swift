/// Who built the batches handed to `PartitionLog.append`. The engine's own writers (CLI produce,
/// outbox, queues, event store) encode with `RecordBatchBuilder`, so their records are right by
/// construction and the append stays free of per-record work; a client's bytes arrive over the
/// wire and have every record checked first (`RecordBatchValidator`).
public enum AppendOrigin: Sendable, Equatable {
    case engine
    case client
}
