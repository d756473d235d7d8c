import Foundation
import WharfCore

/// Zeros written ahead of the active segment's data under `--fsync always` (issue 17): see
/// `LogSegment.zeroFillAhead` for why, `LogLoader` for how recovery finds the data's end in
/// front of them, and `trimFile` (roll, close) for how they leave again. Sizes the log reports
/// (`sizeInBytes`, segment sizes, retention) count data only; only the file is longer.
extension PartitionLog {
    /// How many bytes of zeros the active segment keeps ahead of its data under `always`.
    static let zeroFillChunk: Int64 = {
        // TEMPORARY (measurement): WHARF_ZERO_FILL_CHUNK overrides; 0 turns it off.
        if let v = ProcessInfo.processInfo.environment["WHARF_ZERO_FILL_CHUNK"], let n = Int64(v) { return n }
        return 1 << 20
    }()

    /// Called by the syncer after a round's acknowledgements: tops the zeros up when the data
    /// came within half a chunk of their end. Holds the lock for the `pwrite` (appends wait
    /// meanwhile, once per half chunk of data); a failure only costs speed, so it is logged.
    func zeroFillAheadIfLow() {
        let chunk = Self.zeroFillChunk
        guard chunk > 0 else { return }
        let failure = state.withLock { (s: inout State) -> WharfError? in
            guard s.config.fsync == .always, !s.closed, s.failure == nil, !s.segments.isEmpty else { return nil }
            let i = s.segments.count - 1
            do throws(WharfError) {
                _ = try s.segments[i].zeroFillAhead(chunk: chunk, limit: Int64(s.config.segmentBytes))
                return nil
            } catch {
                return error
            }
        }
        if let failure { logger.warning("could not write zeros ahead of the data", metadata: ["directory": "\(directory)", "error": "\(failure)"]) }
    }
}
