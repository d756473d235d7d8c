import WharfAdmin

/// `wharf dlq list --json`: the dead-letter queues (a data directory's; a cluster has none) and
/// the dead-letter topics, always both lists, whatever exists, so scripts need no special case.
public struct DeadLetterListReport: Encodable, Sendable {
    public let queues: [QueueRuntimeCounts]
    public let topics: [DeadLetterTopicReport]

    public init(queues: [QueueRuntimeCounts], topics: [DeadLetterTopicReport]) {
        self.queues = queues
        self.topics = topics
    }
}
