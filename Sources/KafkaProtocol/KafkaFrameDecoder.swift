import WharfCore

/// Splits a byte stream into Kafka frames (`int32 size` + payload), sans I/O: a NIO
/// `ByteToMessageDecoder` calls `nextFrame(in:)` on its buffer and maps the result to
/// `.continue` / `.needMoreData`; a thrown error means the connection must be closed.
///
/// A size that is negative, smaller than the smallest request header (8 bytes), or larger than
/// `maxFrameSize` (default 100 MiB) is an error as soon as the 4 size bytes are there, so a lying
/// client cannot make the server buffer without bound.
public struct KafkaFrameDecoder: Sendable {
    public static let defaultMaxFrameSize: Int = 100 * 1024 * 1024
    /// api_key, api_version, correlation_id: the least any request header has.
    public static let minFrameSize: Int = 8

    public enum Result: Sendable, Equatable {
        /// A complete frame whose payload occupies `payload`; consume up to `payload.upperBound`.
        case frame(payload: Range<Int>)
        case needMoreData
    }

    public var maxFrameSize: Int
    public var minFrameSize: Int
    private var buffer: [UInt8] = []
    private var start: Int = 0

    public init(maxFrameSize: Int = defaultMaxFrameSize, minFrameSize: Int = minFrameSize) {
        self.maxFrameSize = maxFrameSize
        self.minFrameSize = minFrameSize
    }

    /// Looks for one complete frame at the start of `bytes`.
    public func nextFrame(in bytes: UnsafeRawBufferPointer) throws(WharfError) -> Result {
        guard bytes.count >= 4 else { return .needMoreData }
        return try check(size: Int(bytes.loadBigEndian(at: 0, as: Int32.self)), available: bytes.count)
    }

    private func check(size: Int, available: Int) throws(WharfError) -> Result {
        guard size >= minFrameSize else { throw .malformed("frame size \(size) is smaller than a request header") }
        guard size <= maxFrameSize else { throw .malformed("frame of \(size) bytes exceeds the maximum request size of \(maxFrameSize)") }
        guard available - 4 >= size else { return .needMoreData }
        return .frame(payload: 4..<(4 + size))
    }

    /// Accumulating use: append what the socket delivered, then take frames until nil.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame payload, or nil when more bytes are needed.
    public mutating func next() throws(WharfError) -> [UInt8]? {
        let begin = start
        guard buffer.count - begin >= 4 else { return nil }
        let size = Int(buffer[begin]) << 24 | Int(buffer[begin + 1]) << 16 | Int(buffer[begin + 2]) << 8 | Int(buffer[begin + 3])
        let result: Result = try check(size: Int(Int32(truncatingIfNeeded: size)), available: buffer.count - begin)
        guard case .frame(let payload) = result else { return nil }
        let frame = Array(buffer[(begin + payload.lowerBound)..<(begin + payload.upperBound)])
        start = begin + payload.upperBound
        return frame
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Prefixes `payload` with its int32 size.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 4)
        out.appendBigEndian(Int32(payload.count))
        out.append(contentsOf: payload)
        return out
    }
}
