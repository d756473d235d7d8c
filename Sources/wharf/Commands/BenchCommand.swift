import ArgumentParser
import Foundation
import WharfCore
import WharfDashboard
import WharfEngine
import WharfStorage

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure the engine (build with -c release for real figures).",
        subcommands: [Append.self, Fetch.self, Render.self, ClusterRefresh.self, MetricsScrape.self])

    struct Workload: ParsableArguments {
        @Option(help: "Records to write.") var records: Int = 5_000_000
        @Option(name: .customLong("record-size"), help: "Value bytes per record.") var recordSize: Int = 100
        @Option(name: .customLong("batch"), help: "Records per batch (one append each).") var batch: Int = 1000
        @Option(help: "Partitions of the benchmark topic; batches are dealt round-robin.") var partitions: Int32 = 1
        @Option(help: "Durability policy: always, interval:<ms>, never.") var fsync: String = "interval:100"
        @Option(help: "Directory for the benchmark data (default: a fresh temporary directory, removed afterwards).") var dir: String?
        @Flag(name: .long) var json = false

        func validate() throws {
            guard records > 0, recordSize >= 0, batch > 0, partitions > 0 else {
                throw ValidationError("--records, --batch and --partitions must be positive and --record-size 0 or more")
            }
            _ = try FsyncPolicy(parsing: fsync)
        }
    }

    /// Writes the workload into a fresh engine and returns the measured append figures.
    static func runAppend(_ w: Workload, in directory: String) throws -> (engine: Engine, seconds: Double, bytesOnDisk: Int64) {
        var config = EngineConfig(dataDirectory: directory, fsync: try FsyncPolicy(parsing: w.fsync))
        config.defaultLog.retentionMs = -1
        let engine = try Engine.open(config: config)
        try engine.createTopic("bench", .init(partitions: w.partitions))
        // One encoded batch, as a producer would send it; each append copies it (the log rewrites
        // the base offset in place), like a broker receiving a fresh request buffer.
        var builder = RecordBatchBuilder(capacity: w.batch * (w.recordSize + 16) + 64)
        let value = [UInt8](repeating: 0x61, count: w.recordSize)
        let now = SystemClock().nowMillis()
        value.withUnsafeBytes { v in
            for _ in 0..<w.batch { builder.append(key: nil, value: v, timestamp: now) }
        }
        let template = builder.finish()
        var buffer = template
        let fullBatches = w.records / w.batch
        let start = monotonicNanos()
        for i in 0..<fullBatches {
            buffer.withUnsafeMutableBytes { dst in template.withUnsafeBytes { dst.copyMemory(from: $0) } }
            _ = try engine.append(topic: "bench", partition: Int32(i % Int(w.partitions)), batches: &buffer)
        }
        let rest = w.records - fullBatches * w.batch
        if rest > 0 {
            var b = RecordBatchBuilder()
            value.withUnsafeBytes { v in for _ in 0..<rest { b.append(key: nil, value: v, timestamp: now) } }
            var bytes = b.finish()
            _ = try engine.append(topic: "bench", partition: 0, batches: &bytes)
        }
        // The figure includes making everything durable, whatever the policy.
        for p in 0..<w.partitions { try engine.flush(topic: "bench", partition: p) }
        let seconds = Double(monotonicNanos() - start) / 1e9
        return (engine, seconds, try engine.describeTopic("bench").sizeBytes)
    }

    static func withBenchDirectory<T>(_ w: Workload, _ body: (String) throws -> T) throws -> T {
        let dir = w.dir ?? (NSTemporaryDirectory() + "wharf-bench-\(getpid())")
        let owned = w.dir == nil
        if owned { try? FileManager.default.removeItem(atPath: dir) }
        defer { if owned { try? FileManager.default.removeItem(atPath: dir) } }
        return try body(dir)
    }

    struct Append: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Append throughput: records/s and MB/s.")
        @OptionGroup var workload: Workload
        @Flag(name: .customLong("disk-baseline"), help: "Also measure the disk with dd (1 GiB, conv=fdatasync) in the same directory and print our MB/s as a share of it.")
        var diskBaseline = false

        func run() throws {
            try BenchCommand.withBenchDirectory(workload) { dir in
                let (engine, seconds, onDisk) = try BenchCommand.runAppend(workload, in: dir)
                try engine.close()
                let payload = Double(workload.records) * Double(workload.recordSize)
                var result = BenchResult(benchmark: "append", records: workload.records, recordSize: workload.recordSize,
                                         batch: workload.batch, partitions: workload.partitions, fsync: workload.fsync,
                                         seconds: seconds, recordsPerSec: Double(workload.records) / seconds,
                                         mbPerSec: payload / seconds / 1e6, diskMbPerSec: Double(onDisk) / seconds / 1e6)
                if diskBaseline {
                    let dd = try DiskBaseline.measure(in: dir)
                    result.ddMbPerSec = dd
                    result.diskRatio = (result.diskMbPerSec ?? 0) / dd
                }
                try result.print(json: workload.json)
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch throughput: writes the workload, then reads it all back and visits every record.")
        @OptionGroup var workload: Workload
        @Option(name: .customLong("max-bytes"), help: "Bytes per fetch.") var maxBytes: Int = 1 << 20

        func run() throws {
            try BenchCommand.withBenchDirectory(workload) { dir in
                let (engine, _, _) = try BenchCommand.runAppend(workload, in: dir)
                defer { try? engine.close() }
                var visited = 0
                var checksum = 0
                let start = monotonicNanos()
                for p in 0..<workload.partitions {
                    var offset: Int64 = 0
                    let end = try engine.offsets(topic: "bench", partition: p).logEnd
                    while offset < end {
                        let chunk = try engine.fetch(topic: "bench", partition: p, offset: offset, maxBytes: maxBytes)
                        try chunk.bytes.withUnsafeBytes { raw in
                            try RecordBatchReader.forEachRecord(in: raw) { r in
                                visited += 1
                                checksum &+= r.value?.count ?? 0
                                offset = r.offset + 1
                            }
                        }
                    }
                }
                let seconds = Double(monotonicNanos() - start) / 1e9
                guard visited == workload.records, checksum == workload.records * workload.recordSize else {
                    throw ValidationError("fetch saw \(visited) records, expected \(workload.records)")
                }
                let payload = Double(workload.records) * Double(workload.recordSize)
                try BenchResult(benchmark: "fetch", records: visited, recordSize: workload.recordSize, batch: workload.batch,
                                partitions: workload.partitions, fsync: workload.fsync, seconds: seconds,
                                recordsPerSec: Double(visited) / seconds, mbPerSec: payload / seconds / 1e6).print(json: workload.json)
            }
        }
    }
}

extension BenchCommand {
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dashboard frame time: a snapshot of 2,000 topics, 20,000 partitions and 500 groups, sorted and filtered, into a 200x60 canvas.")
        @Option(help: "Frames to render.") var frames: Int = 200
        @Flag(name: .long) var json = false

        func run() throws {
            let ms = RenderBenchmark.run(topics: 2000, partitionsPerTopic: 10, groups: 500, width: 200, height: 60, frames: frames)
            let ingest = RenderBenchmark.ingest()
            struct R: Encodable { let benchmark = "render"; let topics = 2000; let partitions = 20000; let groups = 500; let width = 200; let height = 60; let frames: Int; let msPerFrame: Double; let ingestMsPerSnapshot: Double }
            let r = R(frames: frames, msPerFrame: ms, ingestMsPerSnapshot: ingest)
            if json { return try Output.json(r) }
            print(String(format: "render: 2000 topics x 10 partitions, 500 groups, 200x60, sort+filter: %.2f ms/frame (%d frames); snapshot ingest (rates, Burrow windows): %.2f ms", ms, frames, ingest))
        }
    }
}

struct BenchResult: Encodable {
    var benchmark: String
    var records: Int
    var recordSize: Int
    var batch: Int
    var partitions: Int32
    var fsync: String
    var seconds: Double
    var recordsPerSec: Double
    var mbPerSec: Double
    var diskMbPerSec: Double?
    var ddMbPerSec: Double?
    var diskRatio: Double?

    func print(json: Bool) throws {
        if json { return try Output.json(self) }
        var line = String(format: "%@: %d records of %d B in batches of %d, %d partition(s), fsync %@: %.2f s, %.0f records/s, %.1f MB/s",
                          benchmark, records, recordSize, batch, Int(partitions), fsync, seconds, recordsPerSec, mbPerSec)
        if let diskMbPerSec { line += String(format: " (%.1f MB/s written)", diskMbPerSec) }
        Swift.print(line)
        if let ddMbPerSec, let diskRatio {
            Swift.print(String(format: "disk baseline (dd 1 GiB conv=fdatasync): %.1f MB/s; wharf wrote at %.0f%% of it", ddMbPerSec, diskRatio * 100))
        }
    }
}

/// The disk's sequential write bandwidth, measured the way the issue asks: dd with conv=fdatasync.
enum DiskBaseline {
    static func measure(in directory: String) throws -> Double {
        let target = directory + "/dd-baseline.bin"
        defer { try? FileManager.default.removeItem(atPath: target) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/dd")
        p.arguments = ["if=/dev/zero", "of=\(target)", "bs=1M", "count=1024", "conv=fdatasync"]
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        let start = monotonicNanos()
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationError("dd failed with status \(p.terminationStatus)") }
        return Double(1 << 30) / (Double(monotonicNanos() - start) / 1e9) / 1e6
    }
}
