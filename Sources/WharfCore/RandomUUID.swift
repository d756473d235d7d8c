import Foundation
import Synchronization

/// Random (version 4) UUIDs drawn from a pool of system randomness refilled 256 at a time.
///
/// Foundation's `UUID()` on Linux opens, reads and closes `/dev/urandom` for every UUID: three
/// system calls for each lock token and each generated message id, which made them a visible
/// share of the Service Bus listener's per-message cost. These are as random (the kernel's
/// generator, `arc4random_buf`), only fetched in bulk.
public enum RandomUUID {
    private struct Pool {
        static let size = 4096
        var bytes = [UInt8](repeating: 0, count: size)
        var used = size

        mutating func next() -> uuid_t {
            if used + 16 > Self.size {
                bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, Self.size) }
                used = 0
            }
            defer { used += 16 }
            let b = bytes
            let i = used
            // Version 4 (random), variant RFC 4122.
            return (b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], (b[i + 6] & 0x0F) | 0x40, b[i + 7],
                    (b[i + 8] & 0x3F) | 0x80, b[i + 9], b[i + 10], b[i + 11], b[i + 12], b[i + 13], b[i + 14], b[i + 15])
        }
    }

    private static let pool = Mutex(Pool())

    public static func next() -> UUID { UUID(uuid: pool.withLock { $0.next() }) }

    /// A new UUID in the lower-case canonical form (`UUID().uuidString.lowercased()`, in one
    /// allocation: `UUIDText`).
    public static func lowercasedString() -> String { UUIDText.lowercase(next()) }
}
