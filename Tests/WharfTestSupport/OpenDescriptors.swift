import Foundation

/// The files this process holds open, read from `/proc/self/fd` (Linux), for tests that bound
/// descriptors. Only those under one directory count, since other tests open files meanwhile.
package enum OpenDescriptors {
    /// Targets of the open descriptors that lie under `directory` (an unlinked file still
    /// open shows as "<path> (deleted)").
    package static func paths(under directory: String) -> [String] {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
            .filter { $0.hasPrefix(directory + "/") }
    }
}
