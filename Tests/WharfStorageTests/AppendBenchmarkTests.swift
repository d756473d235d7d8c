import Foundation
import Testing
import WharfCore
@testable import WharfStorage

/// Throughput of the append path: 100-byte records in batches of 1,000, fsync interval:100.
/// Opt-in (`WHARF_BENCH=1`), since debug builds and a shared machine make timings noisy.
@Suite struct AppendBenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["WHARF_BENCH"] == "1"))
    func appendThroughput() throws {
        let dir = TempDir()
        defer { dir.remove() }
        var config = LogConfig()
        config.fsync = .interval(milliseconds: 100)
        let log = try PartitionLog.open(directory: dir.partition, config: config, clock: SystemClock(), logger: testLogger())
        var builder = RecordBatchBuilder(capacity: 128 << 10)
        let value = [UInt8](repeating: 0x42, count: 100)
        value.withUnsafeBytes { v in
            for _ in 0..<1000 { builder.append(key: nil, value: v, timestamp: 1_700_000_000_000) }
        }
        let template = builder.finish()
        let batches = 3000
        var batch = template
        let start = monotonicNanos()
        for _ in 0..<batches {
            _ = try log.append(&batch)
        }
        let seconds = Double(monotonicNanos() - start) / 1e9
        let rate = Double(batches * 1000) / seconds
        print("append: \(batches) batches of 1000 x 100-byte records in \(String(format: "%.3f", seconds)) s = \(Int(rate)) records/s, \(Int(Double(batches * template.count) / seconds / 1e6)) MB/s, \(log.segmentCount) segment(s)")
        try log.close()
        #expect(log.logEndOffset == Int64(batches * 1000))
    }
}
