import Testing
import WharfAdmin
import WharfCore
import WharfSources

/// The dead-letter verdicts the driver keeps between refreshes: a topic is read again only when
/// it changed the way that could change its verdict or its reasons, whatever the source.
@Suite struct DeadLetterTopicCacheTests {
    static func topic(_ name: String, _ bounds: [(Int64, Int64)]) -> TopicDescription {
        TopicDescription(name: name, isInternal: false, retentionMs: -1, retentionBytes: -1, partitions: bounds.enumerated().map {
            PartitionDescription(partition: Int32($0.offset), logStartOffset: $0.element.0, logEndOffset: $0.element.1, sizeBytes: -1, segments: -1)
        })
    }

    static func summary(_ name: String, count: Int64) -> DeadLetterTopicSummary {
        var builder = DeadLetterTopicSummary.Builder()
        let dead = StoredRecord(offset: 0, timestamp: 1, key: nil, value: [], headers: [RecordHeader("__connect.errors.topic", "orders")])
        _ = builder.addPartition(retained: count, first: dead)
        return builder.build(topic: name)!
    }

    @Test func aTopicIsReadAgainOnlyWhenItsVerdictOrReasonsCouldHaveChanged() {
        var cache = DeadLetterTopicCache()
        // Empty topics are settled without a read; the others are due.
        #expect(cache.due([Self.topic("orders", [(0, 10)]), Self.topic("orders.DLT", [(0, 3)]), Self.topic("empty", [(0, 0)])],
                          partitionBudget: 100).sorted() == ["orders", "orders.DLT"])
        cache.store([Self.summary("orders.DLT", count: 3)], for: ["orders", "orders.DLT"])
        #expect(cache.summaries.map(\.topic) == ["orders.DLT"])
        #expect(cache.summary(of: "orders") == nil && cache.summary(of: "orders.DLT")?.count == 3)

        // An ordinary topic that only grew costs nothing; a dead-letter topic that grew is recounted.
        #expect(cache.due([Self.topic("orders", [(0, 50)]), Self.topic("orders.DLT", [(0, 4)]), Self.topic("empty", [(0, 0)])],
                          partitionBudget: 100) == ["orders.DLT"])
        // Its last summary stays until the new one is stored.
        #expect(cache.summary(of: "orders.DLT")?.count == 3)
        // A log start that moved (retention, purge) and an empty topic that got records are read again.
        #expect(cache.due([Self.topic("orders", [(5, 50)]), Self.topic("orders.DLT", [(0, 4)]), Self.topic("empty", [(0, 1)])],
                          partitionBudget: 100).sorted() == ["empty", "orders"])
        // A failed read is forgotten, so the next refresh asks again; a deleted topic is dropped.
        cache.forget(["empty", "orders"])
        #expect(cache.due([Self.topic("orders", [(5, 50)])], partitionBudget: 100) == ["orders"])
        #expect(cache.summaries.isEmpty)
    }

    @Test func aRefreshReadsAtMostItsPartitionBudgetDeadLetterNamesFirst() {
        var cache = DeadLetterTopicCache()
        let topics = [Self.topic("big", Array(repeating: (0, 5), count: 6)), Self.topic("payments-dlq", [(0, 1), (0, 1)]),
                      Self.topic("small", [(0, 1)])]
        #expect(cache.due(topics, partitionBudget: 4) == ["payments-dlq", "small"])
        cache.store([], for: ["payments-dlq", "small"])
        #expect(cache.due(topics, partitionBudget: 4) == ["big"])
    }
}
