import WharfCore

/// Walks the batches of a segment file forward from a position, reading the file in chunks
/// (one `pread` per chunk, not per batch). Used by recovery (with CRC checks) and by lookups
/// (headers only, bounded by the index interval).
///
/// `next` returns `.torn` at the first byte range that is not a whole, well-formed batch
/// (short header, bad magic, length past `end`, CRC mismatch); the caller decides whether that
/// means truncation (active segment) or an unreadable tail (closed segment).
struct BatchScanner {
    enum Step {
        case batch(RecordBatchHeader, position: Int64)
        case end
        case torn(position: Int64, reason: String)
    }

    let file: PosixFile
    let end: Int64
    private(set) var position: Int64
    private var buffer: [UInt8] = []
    private var bufferStart: Int64 = 0
    private var bufferCount = 0
    private let chunk: Int

    init(file: PosixFile, from position: Int64, to end: Int64, chunk: Int = 256 << 10) {
        self.file = file
        self.position = position
        self.end = end
        self.chunk = chunk
    }

    /// The next batch's header (whole batch CRC-checked when `verifyCRC`), `.end` exactly at
    /// `end`, or `.torn` with the reason.
    mutating func next(verifyCRC: Bool) throws(WharfError) -> Step {
        if position == end { return .end }
        let remaining = end - position
        guard remaining >= Int64(RecordBatchHeader.size) else {
            return .torn(position: position, reason: "\(remaining) trailing byte(s), less than a batch header")
        }
        let header: RecordBatchHeader
        do throws(WharfError) {
            header = try withBytes(at: position, count: RecordBatchHeader.size) { (raw) throws(WharfError) in
                try RecordBatchHeader(parsing: raw)
            }
        } catch {
            return .torn(position: position, reason: "bad batch header: \(error)")
        }
        let size = header.totalSize
        guard Int64(size) <= remaining else {
            return .torn(position: position, reason: "batch claims \(size) bytes, only \(remaining) remain")
        }
        if verifyCRC {
            do throws(WharfError) {
                _ = try withBytes(at: position, count: size) { (raw) throws(WharfError) in try RecordBatchBytes.validate(raw) }
            } catch {
                return .torn(position: position, reason: "\(error)")
            }
        }
        let at = position
        position += Int64(size)
        return .batch(header, position: at)
    }

    /// Calls `body` with `count` file bytes at `at`, refilling the chunk buffer when needed.
    mutating func withBytes<R>(at: Int64, count: Int, _ body: (UnsafeRawBufferPointer) throws(WharfError) -> R) throws(WharfError) -> R {
        if !(at >= bufferStart && at + Int64(count) <= bufferStart + Int64(bufferCount)) {
            let want = max(count, Int(min(Int64(chunk), end - at)))
            if buffer.count < want { buffer = [UInt8](repeating: 0, count: want) }
            let file = self.file
            let n = try buffer.withMutableBytes { (raw) throws(WharfError) -> Int in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]), at: at)
            }
            bufferStart = at
            bufferCount = n
            guard n >= count else { throw .io("read \(file.path): file ends at \(at + Int64(n)), expected \(count) bytes at \(at)") }
        }
        let offset = Int(at - bufferStart)
        return try buffer.withBytes { (raw) throws(WharfError) -> R in
            try body(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count)]))
        }
    }
}
