import Foundation
import WharfCore

/// The disk's sequential write bandwidth, measured the way the issue asks: dd with conv=fdatasync.
public enum DiskBaseline {
    /// MB/s of writing 1 GiB into `directory` (the file is removed afterwards).
    public static func measure(in directory: String) throws -> Double {
        let target = directory + "/dd-baseline.bin"
        defer { try? FileManager.default.removeItem(atPath: target) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/dd")
        p.arguments = ["if=/dev/zero", "of=\(target)", "bs=1M", "count=1024", "conv=fdatasync"]
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        let start = monotonicNanos()
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw WharfError.io("dd failed with status \(p.terminationStatus)") }
        return Double(1 << 30) / (Double(monotonicNanos() - start) / 1e9) / 1e6
    }
}
