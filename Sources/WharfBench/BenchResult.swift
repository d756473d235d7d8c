import Foundation
import WharfCore
import WharfEngine

/// One `wharf bench append|fetch` figure: `--json` prints it as is (a contract BENCHMARKS.md
/// and scripts rely on), the text form is `lines`.
public struct BenchResult: Encodable, Sendable, Equatable {
    public var benchmark: String
    public var records: Int
    public var recordSize: Int
    public var batch: Int
    public var partitions: Int32
    public var fsync: String
    public var seconds: Double
    public var recordsPerSec: Double
    public var mbPerSec: Double
    public var diskMbPerSec: Double?
    public var ddMbPerSec: Double?
    public var diskRatio: Double?

    public init(benchmark: String, records: Int, recordSize: Int, batch: Int, partitions: Int32, fsync: String, seconds: Double,
                recordsPerSec: Double, mbPerSec: Double, diskMbPerSec: Double? = nil) {
        self.benchmark = benchmark
        self.records = records
        self.recordSize = recordSize
        self.batch = batch
        self.partitions = partitions
        self.fsync = fsync
        self.seconds = seconds
        self.recordsPerSec = recordsPerSec
        self.mbPerSec = mbPerSec
        self.diskMbPerSec = diskMbPerSec
    }

    /// The figure for people: one line, and one more with the disk baseline when measured.
    public var lines: [String] {
        var line = String(format: "%@: %d records of %d B in batches of %d, %d partition(s), fsync %@: %.2f s, %.0f records/s, %.1f MB/s",
                          benchmark, records, recordSize, batch, Int(partitions), fsync, seconds, recordsPerSec, mbPerSec)
        if let diskMbPerSec { line += String(format: " (%.1f MB/s written)", diskMbPerSec) }
        guard let ddMbPerSec, let diskRatio else { return [line] }
        return [line, String(format: "disk baseline (dd 1 GiB conv=fdatasync): %.1f MB/s; wharf wrote at %.0f%% of it", ddMbPerSec, diskRatio * 100)]
    }
}

extension AppendBenchmark {
    /// `wharf bench append`: the workload into a fresh engine in `directory` (closed afterwards);
    /// with `diskBaseline`, dd's figure in the same directory and our share of it. `fsync` is the
    /// policy as the user wrote it, for the report.
    public static func measure(_ w: AppendWorkload, fsync: String, in directory: String, diskBaseline: Bool) throws -> BenchResult {
        let (engine, seconds, onDisk) = try run(w, in: directory)
        try engine.close()
        var result = BenchResult(benchmark: "append", records: w.records, recordSize: w.recordSize, batch: w.batch, partitions: w.partitions,
                                 fsync: fsync, seconds: seconds, recordsPerSec: Double(w.records) / seconds,
                                 mbPerSec: w.payloadBytes / seconds / 1e6, diskMbPerSec: Double(onDisk) / seconds / 1e6)
        if diskBaseline {
            let dd = try DiskBaseline.measure(in: directory)
            result.ddMbPerSec = dd
            result.diskRatio = (result.diskMbPerSec ?? 0) / dd
        }
        return result
    }
}

extension FetchBenchmark {
    /// `wharf bench fetch`: writes the workload, then reads it all back with fetches of
    /// `maxBytes`, checking every record and value byte came back.
    public static func measure(_ w: AppendWorkload, fsync: String, in directory: String, maxBytes: Int) throws -> BenchResult {
        let (engine, _, _) = try AppendBenchmark.run(w, in: directory)
        defer { try? engine.close() }
        let (visited, valueBytes, seconds) = try run(engine, partitions: w.partitions, maxBytes: maxBytes)
        guard visited == w.records, valueBytes == w.records * w.recordSize else {
            throw WharfError.invalidArgument("fetch saw \(visited) records, expected \(w.records)")
        }
        return BenchResult(benchmark: "fetch", records: visited, recordSize: w.recordSize, batch: w.batch, partitions: w.partitions,
                           fsync: fsync, seconds: seconds, recordsPerSec: Double(visited) / seconds, mbPerSec: w.payloadBytes / seconds / 1e6)
    }
}
