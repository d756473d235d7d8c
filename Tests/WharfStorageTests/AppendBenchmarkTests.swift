import WharfTestSupport
import Foundation
import Testing
import WharfCore
@testable import WharfStorage

/// Throughput of the append path: 100-byte records in batches of 1,000, fsync interval:100.
/// Opt-in (`WHARF_BENCH=1`), since debug builds and a shared machine make timings noisy.
@Suite(.heavy) struct AppendBenchmarkTests {
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
        #expect(log.logEndOffset == Int64(batches * 1000))
        // Sequential consumption in 1 MiB fetches from the start.
        let readStart = monotonicNanos()
        var offset: Int64 = 0
        var bytes = 0
        while offset < log.logEndOffset {
            let fetched = try log.read(from: offset, maxBytes: 1 << 20)
            let headers = try fetched.bytes.withUnsafeBytes { try RecordBatchReader.batchHeaders(in: $0) }
            offset = headers.last!.nextOffset
            bytes += fetched.bytes.count
        }
        let readSeconds = Double(monotonicNanos() - readStart) / 1e9
        print("read: \(bytes >> 20) MiB in \(String(format: "%.3f", readSeconds)) s = \(Int(Double(bytes) / readSeconds / 1e6)) MB/s")
        try log.close()
    }
}
