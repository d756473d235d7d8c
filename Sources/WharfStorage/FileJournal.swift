import Synchronization

/// A test seam's record of every change storage makes to files and directories, in the order
/// the changes took effect, so a test can rebuild "the disk after a power cut at operation k"
/// (what LazyFS and ALICE do; see `CrashDisk` in the storage tests). Attached to a
/// `FaultInjector`; nil (and never consulted) in production.
///
/// Ordering: a change is recorded after it took effect. A sync is recorded twice: `syncStarted`
/// before the `fdatasync`/`fsync` (it covers exactly what was recorded before it) and
/// `syncFinished` after it returned (only then does the covered state count as durable).
/// Thread-safe (a `Mutex`).
package final class FileJournal: Sendable {
    package enum SyncTarget: Sendable, Equatable {
        case file(fd: Int32)
        case directory(path: String)
    }

    package enum Operation: Sendable, Equatable {
        case open(fd: Int32, path: String, create: Bool, truncate: Bool)
        case write(fd: Int32, offset: Int64, bytes: [UInt8])
        case truncate(fd: Int32, size: Int64)
        case close(fd: Int32)
        case syncStarted(SyncTarget, id: Int)
        case syncFinished(id: Int)
        case makeDirectory(path: String)
        case rename(from: String, to: String)
        case unlink(path: String)
        case removeTree(path: String)
    }

    private struct State {
        package var operations: [Operation] = []
        var nextSyncId = 0
    }

    private let state = Mutex(State())

    package init() {}

    package func record(_ operation: Operation) {
        state.withLock { $0.operations.append(operation) }
    }

    /// Records the start of a sync and returns the id its `syncFinished` must carry.
    package func syncStarted(_ target: SyncTarget) -> Int {
        state.withLock { s in
            s.nextSyncId += 1
            s.operations.append(.syncStarted(target, id: s.nextSyncId))
            return s.nextSyncId
        }
    }

    package var operations: [Operation] { state.withLock { $0.operations } }
    package var count: Int { state.withLock { $0.operations.count } }
}
