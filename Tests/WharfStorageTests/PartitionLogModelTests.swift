import WharfTestSupport
import Testing
import WharfCore
@testable import WharfStorage

/// Random sequences of operations (append, read, deleteRecords, retention, compaction, clean
/// and unclean reopen, config changes) checked after every step against a plain model.
@Suite(.heavy) struct PartitionLogModelTests {
    struct Row: Equatable {
        var offset: Int64
        var key: String?
        var value: String
        var timestamp: Int64
    }

    struct Model {
        var rows: [Row] = []
        var logStart: Int64 = 0
        var logEnd: Int64 = 0
        var visible: [Row] { rows.filter { $0.offset >= logStart } }
    }

    func rows(_ log: PartitionLog) throws -> [Row] {
        try log.readAll(maxBytes: 700).map {
            Row(offset: $0.offset, key: $0.key.map { String(decoding: $0, as: UTF8.self) },
                value: String(decoding: $0.value ?? [], as: UTF8.self), timestamp: $0.timestamp)
        }
    }

    @Test(arguments: [31, 32, 33, 34, 35, 36] as [UInt64])
    func randomOperationsMatchTheModel(seed: UInt64) throws {
        let dir = TempDir()
        defer { dir.remove() }
        var rng = SeededRandom(seed: seed)
        let clock = ManualClock(1_000_000)
        var config = smallConfig(segmentBytes: 700, indexIntervalBytes: 90)
        config.retentionMs = -1
        var log = try PartitionLog.open(dir.partition, config, clock: clock)
        var model = Model()
        var step = 0
        for _ in 0..<400 {
            step += 1
            let op = Int.random(in: 0..<100, using: &rng)
            switch op {
            case 0..<60:
                let n = Int.random(in: 1...4, using: &rng)
                var builder = RecordBatchBuilder()
                var pending: [Row] = []
                for i in 0..<n {
                    clock.advance(byMillis: Int64.random(in: 0...50, using: &rng))
                    let key: String? = Int.random(in: 0..<5, using: &rng) == 0 ? nil : "k\(Int.random(in: 0..<8, using: &rng))"
                    let row = Row(offset: model.logEnd + Int64(i), key: key, value: "s\(step)r\(i)", timestamp: clock.nowMillis())
                    builder.append(Record(key: key.map { Array($0.utf8) }, value: Array(row.value.utf8), timestamp: row.timestamp), defaultTimestamp: 0)
                    pending.append(row)
                }
                let result = try log.append(batch: builder.finish())
                #expect(result.baseOffset == model.logEnd && result.lastOffset == model.logEnd + Int64(n) - 1)
                model.rows += pending
                model.logEnd += Int64(n)
            case 60..<66:
                let target = Int64.random(in: model.logStart...model.logEnd, using: &rng)
                #expect(try log.deleteRecords(before: target) == target)
                model.logStart = target
            case 66..<72:
                config.retentionBytes = Int64.random(in: 500...3000, using: &rng)
                log.updateConfig(config)
                let activeBase = log.segmentBaseOffsets.last!
                try log.applyRetention()
                #expect(log.logStartOffset >= model.logStart)
                #expect(log.logStartOffset <= max(model.logStart, activeBase), "never past the active segment's start")
                #expect(log.sizeInBytes >= min(config.retentionBytes, log.sizeInBytes))
                model.logStart = log.logStartOffset
            case 72..<78:
                let activeBase = log.segmentBaseOffsets.last!
                var latest: [String: Int64] = [:]
                for row in model.rows where row.offset < activeBase { if let k = row.key { latest[k] = row.offset } }
                let before = model.rows.count
                model.rows.removeAll { $0.offset < activeBase && $0.key != nil && latest[$0.key!] != $0.offset }
                let removedBelowStart = try log.compact()
                #expect(removedBelowStart >= before - model.rows.count, "records below the log start may go too")
                #expect(log.logStartOffset >= model.logStart)
                model.logStart = log.logStartOffset
                #expect(model.visible.first.map { $0.offset >= model.logStart } ?? true)
            case 78..<84:
                try log.close()
                log = try PartitionLog.open(dir.partition, config, clock: clock)
                #expect(log.recoveryReport.isClean, "step \(step): \(log.recoveryReport)")
            case 84..<90:
                // Crash: drop the log without closing (no marker, active index never written).
                log = try PartitionLog.open(dir.partition, config, clock: clock)
                #expect(log.recoveryReport.bytesTruncated == 0)
            case 90..<95:
                config.segmentBytes = Int.random(in: 300...1500, using: &rng)
                config.indexIntervalBytes = Int.random(in: 1...400, using: &rng)
                log.updateConfig(config)
            default:
                clock.advance(byMillis: 1000)
                config.segmentMs = 500
                log.updateConfig(config)
            }
            model.rows.removeAll { $0.offset < model.logStart }
            #expect(log.logStartOffset == model.logStart, "step \(step)")
            #expect(log.logEndOffset == model.logEnd, "step \(step)")
            #expect(try rows(log) == model.visible, "step \(step)")
            if let row = model.visible.randomElement(using: &rng) {
                #expect(try log.timestamp(ofOffset: row.offset) == row.timestamp, "step \(step)")
                let first = model.visible.first { $0.timestamp >= row.timestamp }
                #expect(try log.offset(forTimestamp: row.timestamp) == first?.offset, "step \(step)")
            }
        }
    }
}
