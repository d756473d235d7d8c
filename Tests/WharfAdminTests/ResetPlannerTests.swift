import Testing
import WharfAdmin

/// The reset rule both sources plan with: a partition holding offsets 100..<200 whose group
/// committed 150 (or nothing), every spec, the clamp at both ends, and the time search's answer.
@Suite struct ResetPlannerTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let spec: OffsetResetSpec
        let committed: Int64?
        /// The source's answer to the time search (nil: no record that recent).
        let offsetAtTime: Int64?
        let newOffset: Int64
        let reread: Int64
        var testDescription: String { "\(spec) from \(committed.map(String.init) ?? "no commit")" }
    }

    static let cases: [Case] = [
        Case(spec: .earliest, committed: 150, offsetAtTime: nil, newOffset: 100, reread: 50),
        Case(spec: .latest, committed: 150, offsetAtTime: nil, newOffset: 200, reread: -50),
        Case(spec: .offset(120), committed: 150, offsetAtTime: nil, newOffset: 120, reread: 30),
        Case(spec: .offset(5), committed: 150, offsetAtTime: nil, newOffset: 100, reread: 50),        // clamped up to the log start
        Case(spec: .offset(900), committed: 150, offsetAtTime: nil, newOffset: 200, reread: -50),     // clamped down to the log end
        Case(spec: .shiftBy(-20), committed: 150, offsetAtTime: nil, newOffset: 130, reread: 20),
        Case(spec: .shiftBy(-20), committed: nil, offsetAtTime: nil, newOffset: 100, reread: 0),      // from the log start, clamped
        Case(spec: .shiftBy(.max), committed: 150, offsetAtTime: nil, newOffset: 200, reread: -50),   // saturates, then clamps
        Case(spec: .shiftBy(.min), committed: 150, offsetAtTime: nil, newOffset: 100, reread: 50),
        Case(spec: .datetime(1_000), committed: 150, offsetAtTime: 170, newOffset: 170, reread: -20),
        Case(spec: .datetime(1_000), committed: 150, offsetAtTime: nil, newOffset: 200, reread: -50), // nothing that recent: the end
        Case(spec: .byDuration(60_000), committed: nil, offsetAtTime: 110, newOffset: 110, reread: -10),
        Case(spec: .byDuration(60_000), committed: 150, offsetAtTime: 50, newOffset: 100, reread: 50), // an answer below the start clamps
    ]

    @Test(arguments: cases) func planOfOnePartition(_ c: Case) {
        let row = ResetPlanner.row(topic: "orders", partition: 3, logStart: 100, logEnd: 200, committed: c.committed,
                                   spec: c.spec, offsetAtTime: c.offsetAtTime)
        #expect(row == ResetPlanRow(topic: "orders", partition: 3, currentOffset: c.committed, newOffset: c.newOffset, recordsToReread: c.reread))
    }

    @Test func onlyTheTimeSpecsSearchAndByDurationCountsBackFromNow() {
        let now: Int64 = 1_700_000_000_000
        #expect(ResetPlanner.searchTimestamp(.datetime(42), nowMs: now) == 42)
        #expect(ResetPlanner.searchTimestamp(.byDuration(60_000), nowMs: now) == now - 60_000)
        for spec: OffsetResetSpec in [.earliest, .latest, .offset(7), .shiftBy(-3)] {
            #expect(ResetPlanner.searchTimestamp(spec, nowMs: now) == nil)
        }
    }

    @Test func undoPutsBackWhatAResetReplacedAndLeavesPartitionsThatHadNoCommit() {
        let executed = [
            ResetPlanner.row(topic: "orders", partition: 0, logStart: 100, logEnd: 200, committed: 150, spec: .earliest, offsetAtTime: nil),
            ResetPlanner.row(topic: "orders", partition: 1, logStart: 100, logEnd: 200, committed: nil, spec: .earliest, offsetAtTime: nil),
            ResetPlanner.row(topic: "orders", partition: 2, logStart: 100, logEnd: 200, committed: 120, spec: .latest, offsetAtTime: nil),
        ]
        #expect(ResetPlanner.undo(executed) == [
            ResetPlanRow(topic: "orders", partition: 0, currentOffset: 100, newOffset: 150, recordsToReread: -50),
            ResetPlanRow(topic: "orders", partition: 2, currentOffset: 200, newOffset: 120, recordsToReread: 80),
        ])
    }

    @Test func aHugeDurationSaturatesInsteadOfTrapping() {
        #expect(ResetPlanner.searchTimestamp(.byDuration(.max), nowMs: -10) == .min)
    }
}
