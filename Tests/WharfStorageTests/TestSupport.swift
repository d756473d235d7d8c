import Foundation
import Logging
import Synchronization
import WharfCore
@testable import WharfStorage
import WharfTestSupport

/// A fresh directory under the system temp directory; `remove()` deletes it (call it in `defer`).
struct TempDir {
    let path: String

    init(_ label: String = "wharf-storage") {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A partition directory inside, Kafka-style name.
    var partition: String { path + "/orders-0" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Collects log lines so tests can assert what recovery reported.
final class CapturedLogs: Sendable {
    let lines = Mutex<[(Logger.Level, String)]>([])
    var warnings: [String] { lines.withLock { $0.filter { $0.0 >= .warning }.map(\.1) } }
}

struct CapturingLogHandler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let meta = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.lines.withLock { $0.append((event.level, "\(event.message) \(meta)")) }
    }
}

func testLogger(_ sink: CapturedLogs = CapturedLogs()) -> Logger {
    Logger(label: "wharf.storage.test") { _ in CapturingLogHandler(sink: sink) }
}

/// Deterministic random numbers, shared with the other test targets (see `WharfTestSupport`).
typealias SeededRandom = WharfTestSupport.SeededRandom

/// One batch of `count` records with values "v<n>" (n from `firstValue`), keys "k<n % keys>"
/// when `keys` is set, and the given timestamps (or `timestamp` for all).
func makeBatch(count: Int, firstValue: Int = 0, timestamp: Int64 = 1_700_000_000_000, timestamps: [Int64]? = nil,
               keys: Int? = nil, valueSize: Int = 0) -> [UInt8] {
    var builder = RecordBatchBuilder()
    for i in 0..<count {
        let n = firstValue + i
        var value = Array("v\(n)".utf8)
        if valueSize > value.count { value += [UInt8](repeating: 0x61, count: valueSize - value.count) }
        let key = keys.map { Array("k\(n % $0)".utf8) }
        builder.append(Record(key: key, value: value, timestamp: timestamps?[i] ?? timestamp), defaultTimestamp: timestamp)
    }
    return builder.finish()
}

func smallConfig(segmentBytes: Int = 1 << 20, indexIntervalBytes: Int = 256, fsync: FsyncPolicy = .never) -> LogConfig {
    var config = LogConfig()
    config.segmentBytes = segmentBytes
    config.indexIntervalBytes = indexIntervalBytes
    config.fsync = fsync
    return config
}

extension PartitionLog {
    static func open(_ directory: String, _ config: LogConfig, clock: ManualClock = ManualClock(), logs: CapturedLogs = CapturedLogs()) throws -> PartitionLog {
        try PartitionLog.open(directory: directory, config: config, clock: clock, logger: testLogger(logs))
    }

    @discardableResult
    func append(batch: [UInt8]) throws(WharfError) -> AppendResult {
        var bytes = batch
        return try append(&bytes)
    }

    /// Every record from the log start to the log end, fetched in `maxBytes` steps.
    func readAll(maxBytes: Int = 1 << 20) throws -> [StoredRecord] {
        var out: [StoredRecord] = []
        var offset = logStartOffset
        let end = logEndOffset
        while offset < end {
            let fetched = try read(from: offset, maxBytes: maxBytes)
            out += try RecordBatchReader.records(in: fetched.bytes, fromOffset: offset)
            // As Kafka clients do: continue after the last batch (compaction may have removed
            // its last records, so the next offset comes from the header, not the records).
            let headers = try fetched.bytes.withUnsafeBytes { try RecordBatchReader.batchHeaders(in: $0) }
            guard let last = headers.last, last.nextOffset > offset else { break }
            offset = last.nextOffset
        }
        return out
    }

    /// The first record at or after `offset`, fetching one batch at a time like a consumer.
    func firstRecord(atOrAfter offset: Int64) throws -> StoredRecord? {
        var position = offset
        while position < logEndOffset {
            let bytes = try read(from: position, maxBytes: 1).bytes
            if let record = try RecordBatchReader.records(in: bytes, fromOffset: position).first { return record }
            let headers = try bytes.withUnsafeBytes { try RecordBatchReader.batchHeaders(in: $0) }
            guard let last = headers.last else { return nil }
            position = last.nextOffset
        }
        return nil
    }

    var allValues: [String] {
        get throws { try readAll().map { String(decoding: $0.value ?? [], as: UTF8.self) } }
    }
}

func values(_ range: Range<Int>) -> [String] { range.map { "v\($0)" } }

/// Names of the files in `dir` with the given suffix, sorted.
func files(in dir: String, suffix: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
}

func fileSize(_ path: String) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? -1
}

/// Appends raw bytes to a file (simulating garbage or a torn write).
func appendBytes(_ bytes: [UInt8], to path: String) {
    let handle = FileHandle(forWritingAtPath: path)!
    handle.seekToEndOfFile()
    handle.write(Data(bytes))
    try? handle.close()
}

func writeBytes(_ bytes: [UInt8], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

func truncateFile(_ path: String, to size: Int64) {
    let handle = FileHandle(forWritingAtPath: path)!
    try? handle.truncate(atOffset: UInt64(size))
    try? handle.close()
}

func readBytes(_ path: String) -> [UInt8] {
    Array(FileManager.default.contents(atPath: path) ?? Data())
}
