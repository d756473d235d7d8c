/// Whole stored batches, byte for byte as written, plus the log bounds at the time of the read.
/// `bytes` is empty when the fetch offset equals the high watermark.
public struct FetchResult: Sendable {
    public var bytes: [UInt8]
    public var highWatermark: Int64
    public var logStartOffset: Int64

    public init(bytes: [UInt8], highWatermark: Int64, logStartOffset: Int64) {
        self.bytes = bytes
        self.highWatermark = highWatermark
        self.logStartOffset = logStartOffset
    }
}
