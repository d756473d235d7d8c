import Foundation
import WharfCore
import WharfEngine
import WharfStorage

/// The workload of `wharf bench append` and `fetch`: `records` values of `recordSize` bytes in
/// batches of `batch`, dealt round-robin over the partitions of a topic "bench".
public struct AppendWorkload: Sendable {
    public var records: Int
    public var recordSize: Int
    public var batch: Int
    public var partitions: Int32
    public var fsync: FsyncPolicy

    public init(records: Int, recordSize: Int, batch: Int, partitions: Int32, fsync: FsyncPolicy) {
        self.records = records
        self.recordSize = recordSize
        self.batch = batch
        self.partitions = partitions
        self.fsync = fsync
    }

    /// The value bytes written, for MB/s.
    public var payloadBytes: Double { Double(records) * Double(recordSize) }
}

public enum AppendBenchmark {
    /// Writes the workload into a fresh engine and returns it open, with the seconds the appends
    /// took (until everything is durable, whatever the policy) and the bytes the topic holds on disk.
    public static func run(_ w: AppendWorkload, in directory: String) throws -> (engine: Engine, seconds: Double, bytesOnDisk: Int64) {
        var config = EngineConfig(dataDirectory: directory, fsync: w.fsync)
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
}

public enum FetchBenchmark {
    /// Reads every partition of "bench" back from offset 0 in fetches of `maxBytes` and visits
    /// every record; returns the records visited, their value bytes, and the seconds it took.
    public static func run(_ engine: Engine, partitions: Int32, maxBytes: Int) throws -> (records: Int, valueBytes: Int, seconds: Double) {
        var visited = 0
        var checksum = 0
        let start = monotonicNanos()
        for p in 0..<partitions {
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
        return (visited, checksum, Double(monotonicNanos() - start) / 1e9)
    }
}

/// Where a benchmark writes: the directory given, or a fresh temporary one removed afterwards.
public enum BenchDirectory {
    public static func with<T>(_ given: String?, name: String = "wharf-bench", _ body: (String) throws -> T) throws -> T {
        let dir = claim(given, name: name)
        defer { release(dir, given: given) }
        return try body(dir)
    }

    /// The same for an async benchmark.
    public static func with<T>(_ given: String?, name: String = "wharf-bench", _ body: (String) async throws -> T) async throws -> T {
        let dir = claim(given, name: name)
        defer { release(dir, given: given) }
        return try await body(dir)
    }

    /// The directory given, or a fresh temporary one (a leftover of an earlier run removed).
    private static func claim(_ given: String?, name: String) -> String {
        if let given { return given }
        let dir = NSTemporaryDirectory() + "\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        return dir
    }

    /// Removes the directory when it was a temporary one.
    private static func release(_ dir: String, given: String?) {
        if given == nil { try? FileManager.default.removeItem(atPath: dir) }
    }
}
