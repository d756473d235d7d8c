import Foundation
import WharfCore
import WharfSpawn

/// The disk's sequential write bandwidth, measured the way the issue asks: dd with conv=fdatasync.
public enum DiskBaseline {
    /// MB/s of writing 1 GiB into `directory` (the file is removed afterwards).
    public static func measure(in directory: String) throws -> Double {
        let target = directory + "/dd-baseline.bin"
        defer { try? FileManager.default.removeItem(atPath: target) }
        let start = monotonicNanos()
        let dd = try ChildProcess(["/bin/dd", "if=/dev/zero", "of=\(target)", "bs=1M", "count=1024", "conv=fdatasync"],
                                  stdout: .null, stderr: .null)
        let termination = dd.waitUntilExit()
        guard termination == .exited(0) else { throw WharfError.io("dd failed: \(termination)") }
        return Double(1 << 30) / (Double(monotonicNanos() - start) / 1e9) / 1e6
    }
}
