/// The volume a source stores its logs on (on a cluster, the broker volume with the least free
/// space): a full disk stops every write, so the overview warns before it happens.
public struct DiskSnapshot: Equatable, Sendable {
    public var totalBytes: Int64
    /// Writable by the broker (statvfs's f_bavail, Kafka's UsableBytes).
    public var freeBytes: Int64
    /// Whose it is on a cluster ("broker 2"), named in the warning; nil on the embedded engine,
    /// whose data directory the header already names.
    public var location: String?

    public init(totalBytes: Int64, freeBytes: Int64, location: String? = nil) {
        self.totalBytes = totalBytes
        self.freeBytes = freeBytes
        self.location = location
    }

    /// Free share in whole percent (rounded down, so 9.9% reads 9%).
    public var freePercent: Int { totalBytes > 0 ? Int(freeBytes * 100 / totalBytes) : 0 }

    /// Below 10% free the overview warns; below 5% it is critical (Kafka's own disk alerts
    /// commonly sit at 85% and 95% used).
    public static let warnPercent = 10
    public static let criticalPercent = 5
}
