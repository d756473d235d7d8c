import WharfAdmin
import WharfEngine

// The --json shapes that belong to one command rather than to a library (a contract scripts
// rely on, as the library reports are).

/// `wharf produce --json`.
struct ProduceReport: Encodable {
    let topic: String
    let records: Int
}

/// `wharf dlq list --json`: always both lists, whatever exists, so scripts need no special case.
struct DeadLetterListReport: Encodable {
    let queues: [QueueRuntimeCounts]
    let topics: [DeadLetterTopicReport]
}

/// `wharf bench render --json`: the fixed scene and its frame and ingest times.
struct RenderBenchReport: Encodable {
    let benchmark = "render"
    let topics = 2000
    let partitions = 20000
    let groups = 500
    let width = 200
    let height = 60
    let frames: Int
    let msPerFrame: Double
    let ingestMsPerSnapshot: Double
}
