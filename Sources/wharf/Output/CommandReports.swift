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
