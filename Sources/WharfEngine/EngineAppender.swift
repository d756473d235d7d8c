import WharfAdmin
import WharfCore

/// A topic of the embedded engine opened for appends: each append is one `Engine.produce`.
struct EngineAppender: RecordAppending {
    let engine: Engine
    let topic: String
    let partition: Int32?

    func append(_ records: [Record]) async throws -> [AppendedRange] {
        try engine.produce(topic: topic, records: records, partition: partition).map { ($0.partition, $0.baseOffset, $0.lastOffset) }
    }
}
