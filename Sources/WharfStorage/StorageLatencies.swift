import WharfCore

/// The storage layer's latency histograms, for the whole process: every `PartitionLog` of every
/// engine records into them (as Prometheus's own process metrics are per process). Exported as
/// `wharf_log_append_duration_seconds`, `wharf_log_fsync_duration_seconds` and
/// `wharf_log_reader_wakeup_duration_seconds`.
public enum StorageLatencies {
    /// `PartitionLog.write`: validation, the one `pwrite` and the index updates (and an
    /// `interval` policy's due fdatasync); not the wait for an `always` group commit, which
    /// `fsync` measures.
    public static let append = LatencyHistogram()
    /// Each data fdatasync of a segment (appends under `always` and `interval`, rolls, flushes).
    public static let fsync = LatencyHistogram()
    /// From an append (or a group commit moving the readable end) signalling a parked reader (a
    /// long-poll Fetch) to that reader running again: the wake-up hop of the record path.
    public static let readerWakeup = LatencyHistogram()
}
