import WharfCore

/// Zeros written ahead of the active segment's data under `--fsync always` (issue 17): see
/// `LogSegment.zeroFillAhead` for why, `LogLoader` for how recovery finds the data's end in
/// front of them, and `trimFile` (roll, close) for how they leave again. Sizes the log reports
/// (`sizeInBytes`, segment sizes, retention) count data only; only the file is longer.
extension PartitionLog {
    /// How many bytes of zeros the active segment keeps ahead of its data under `always`: as
    /// many as it holds data, from two pieces up to 1 MiB, so that a broker of many quiet
    /// partitions does not hold a MiB of zeros per partition (at most 128 KiB, or the data's size).
    static func zeroFillAhead(dataSize: Int64) -> Int64 { min(1 << 20, max(2 * zeroFillPiece, dataSize)) }
    /// The most one top-up writes (one per syncer round at most).
    static let zeroFillPiece: Int64 = 64 << 10

    /// Called by the syncer after a round's acknowledgements: adds a piece of zeros once the
    /// data used a piece of them. Holds the lock for that `pwrite` (appends wait meanwhile, once
    /// per piece of data); a failure only costs speed, so it is logged.
    func zeroFillAheadIfLow() {
        let failure = state.withLock { (s: inout State) -> WharfError? in
            guard s.config.fsync == .always, !s.closed, s.failure == nil, !s.segments.isEmpty else { return nil }
            let i = s.segments.count - 1
            let ahead = Self.zeroFillAhead(dataSize: s.segments[i].size)
            do throws(WharfError) {
                _ = try s.segments[i].zeroFillAhead(ahead: ahead, piece: Self.zeroFillPiece, limit: Int64(s.config.segmentBytes))
                return nil
            } catch {
                return error
            }
        }
        if let failure { logger.warning("could not write zeros ahead of the data", metadata: ["directory": "\(directory)", "error": "\(failure)"]) }
    }
}
