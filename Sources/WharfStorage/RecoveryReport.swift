/// What `PartitionLog.open` found and did. Every action here was also logged at `.warning`.
public struct RecoveryReport: Sendable, CustomStringConvertible {
    /// The clean-shutdown marker was present (the previous owner closed the log).
    public var wasCleanShutdown: Bool = false
    public var segmentsLoaded: Int = 0
    /// Batches whose length, offsets and CRC were re-checked.
    public var batchesValidated: Int = 0
    /// Bytes cut from the end of the active segment (torn or corrupt tail).
    public var bytesTruncated: Int64 = 0
    /// Where the cut happened: the segment's file name, the byte position and the first offset
    /// that is no longer in the log (the new log end).
    public var truncatedSegment: String?
    public var truncatedAtPosition: Int64?
    public var truncatedAtOffset: Int64?
    /// Index files (`.index` / `.timeindex` names) rebuilt from their log.
    public var indexesRebuilt: [String] = []
    /// Other findings, one line each (unreadable ranges of closed segments, stray files removed).
    public var notes: [String] = []

    public init() {}

    /// Nothing had to be repaired.
    public var isClean: Bool { wasCleanShutdown && bytesTruncated == 0 && indexesRebuilt.isEmpty && notes.isEmpty }

    public var description: String {
        var lines = ["\(wasCleanShutdown ? "clean" : "unclean") shutdown; \(segmentsLoaded) segment(s) loaded; \(batchesValidated) batch(es) validated"]
        if let seg = truncatedSegment, let pos = truncatedAtPosition, let off = truncatedAtOffset {
            lines.append("truncated \(bytesTruncated) byte(s) of \(seg) at position \(pos) (log end now \(off))")
        }
        if !indexesRebuilt.isEmpty { lines.append("rebuilt \(indexesRebuilt.joined(separator: ", "))") }
        lines.append(contentsOf: notes)
        return lines.joined(separator: "\n")
    }
}
