#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The size of the volume holding a path and the space on it that an unprivileged writer (the
/// broker) can still use: what Kafka's DescribeLogDirs v4 reports as TotalBytes and UsableBytes,
/// and what the dashboard warns about before appends start failing.
public struct VolumeSpace: Sendable, Equatable {
    public var totalBytes: Int64
    public var usableBytes: Int64

    /// nil when statvfs fails (the path is gone).
    public static func of(_ path: String) -> VolumeSpace? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        let unit = Int64(s.f_frsize)
        return VolumeSpace(totalBytes: Int64(s.f_blocks) * unit, usableBytes: Int64(s.f_bavail) * unit)
    }
}
