import Testing
import WharfCore
@testable import WharfStorage

@Suite struct FsyncPolicyTests {
    @Test func parsesValidForms() throws {
        #expect(try FsyncPolicy(parsing: "always") == .always)
        #expect(try FsyncPolicy(parsing: "never") == .never)
        #expect(try FsyncPolicy(parsing: "interval:100") == .interval(milliseconds: 100))
        #expect(try FsyncPolicy(parsing: " Interval:1 ") == .interval(milliseconds: 1))
        for policy: FsyncPolicy in [.always, .never, .interval(milliseconds: 250)] {
            #expect(try FsyncPolicy(parsing: policy.description) == policy)
        }
    }

    @Test(arguments: ["", "sometimes", "interval", "interval:", "interval:0", "interval:-5", "interval:abc", "interval:1.5", "always!"])
    func rejectsInvalidForms(_ text: String) {
        #expect {
            try FsyncPolicy(parsing: text)
        } throws: { error in
            guard case .invalidArgument(let message) = error as? WharfError else { return false }
            return message.contains("always") && message.contains("interval:") && message.contains("never")
        }
    }

    @Test func alwaysSyncsBeforeEveryAppendReturns() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let log = try PartitionLog.open(dir.partition, smallConfig(fsync: .always))
        for i in 0..<5 {
            let before = log.dataSyncs.load(ordering: .relaxed)
            try log.append(batch: makeBatch(count: 3, firstValue: i * 3))
            #expect(log.dataSyncs.load(ordering: .relaxed) == before + 1)
        }
        try log.close()
    }

    @Test func intervalSyncsOnlyWhenDue() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let clock = ManualClock()
        let log = try PartitionLog.open(dir.partition, smallConfig(fsync: .interval(milliseconds: 100)), clock: clock)
        try log.append(batch: makeBatch(count: 1))
        #expect(log.dataSyncs.load(ordering: .relaxed) == 0)
        clock.advance(byMillis: 99)
        try log.flushIfDue()
        try log.append(batch: makeBatch(count: 1))
        #expect(log.dataSyncs.load(ordering: .relaxed) == 0)
        clock.advance(byMillis: 1)
        try log.flushIfDue()
        #expect(log.dataSyncs.load(ordering: .relaxed) == 1)
        try log.flushIfDue()
        #expect(log.dataSyncs.load(ordering: .relaxed) == 1, "nothing new to sync")
        try log.append(batch: makeBatch(count: 1))
        clock.advance(byMillis: 100)
        try log.append(batch: makeBatch(count: 1))
        #expect(log.dataSyncs.load(ordering: .relaxed) == 2, "an append checks the interval too")
        try log.close()
    }

    @Test func neverSyncsOnlyOnRollAndClose() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let clock = ManualClock()
        let log = try PartitionLog.open(dir.partition, smallConfig(segmentBytes: 300, fsync: .never), clock: clock)
        try log.append(batch: makeBatch(count: 2))
        clock.advance(byMillis: 1_000_000)
        try log.flushIfDue()
        #expect(log.dataSyncs.load(ordering: .relaxed) == 0)
        try log.append(batch: makeBatch(count: 10, valueSize: 30))
        #expect(log.segmentCount == 2)
        #expect(log.dataSyncs.load(ordering: .relaxed) == 1, "roll syncs the closed segment")
        try log.close()
        #expect(log.dataSyncs.load(ordering: .relaxed) == 2)
    }
}
