import Testing
import WharfAdmin

/// The position-and-lag rule every source reports with, on a partition holding offsets 100..<200.
@Suite struct LagRulesTests {
    struct Case: Sendable {
        let committed: Int64?
        let position: Int64
        let lag: Int64
    }

    static let cases: [Case] = [
        Case(committed: nil, position: 100, lag: 100),  // no commit: from the log start
        Case(committed: 150, position: 150, lag: 50),
        Case(committed: 200, position: 200, lag: 0),    // caught up
        Case(committed: 250, position: 250, lag: 0),    // past the end: nothing left, never negative
        Case(committed: 40, position: 100, lag: 160),   // below the start: reads from the start, the loss shows in the lag
        Case(committed: -1, position: 100, lag: 100),   // Kafka's "no position"
    ]

    @Test(arguments: cases) func positionAndLag(_ c: Case) {
        #expect(LagRules.position(logStart: 100, committed: c.committed) == c.position)
        #expect(LagRules.lag(logStart: 100, logEnd: 200, committed: c.committed) == c.lag)
        let row = PartitionLag(topic: "t", partition: 0, committedOffset: c.committed, logStartOffset: 100, logEndOffset: 200,
                               timeLagMs: 0, owner: nil)
        #expect(row.lag == c.lag)
        #expect(row.position == c.position)
    }

    @Test func timeLagIsNowMinusTheFirstUnconsumedRecordAndZeroWhenCaughtUp() {
        #expect(LagRules.timeLagMs(position: 150, logEnd: 200, firstUnconsumedTimestamp: 9_000, nowMs: 10_000) == 1_000)
        #expect(LagRules.timeLagMs(position: 200, logEnd: 200, firstUnconsumedTimestamp: nil, nowMs: 10_000) == 0)
        // A producer's clock ahead of ours: not negative.
        #expect(LagRules.timeLagMs(position: 150, logEnd: 200, firstUnconsumedTimestamp: 12_000, nowMs: 10_000) == 0)
        // Lagging, but the record could not be read: unknown.
        #expect(LagRules.timeLagMs(position: 150, logEnd: 200, firstUnconsumedTimestamp: nil, nowMs: 10_000) == nil)
        #expect(LagRules.timeLagMs(position: 150, logEnd: 200, firstUnconsumedTimestamp: .max, nowMs: .min) == 0)
    }

    @Test func aGroupsTotalLagSumsItsPartitions() {
        let rows = [150, 190].map {
            PartitionLag(topic: "t", partition: Int32($0 / 100), committedOffset: Int64($0), logStartOffset: 100, logEndOffset: 200,
                         timeLagMs: 0, owner: nil)
        }
        #expect(GroupLag(group: "g", state: "Empty", members: 0, partitions: rows).totalLag == 60)
    }
}
