import Synchronization
import WharfCore

/// The open descriptors of sealed segments, shared by many logs and bounded: at most `capacity`
/// files, the least recently read closed first. Only the active segment of a log keeps its own
/// descriptor; a sealed one is opened when a read needs it (fetch, timestamp lookup) and stays
/// here while it is read often, so thousands of segments cost `capacity` descriptors, not one
/// each (Kafka keeps every segment's file open and needs a huge `ulimit -n` instead).
///
/// Keys are `SegmentFileID`s, never paths: compaction replaces a segment's file under the same
/// name, and its new id can never be answered with the old file's descriptor.
///
/// Lifetime: eviction only drops the cache's reference. A reader that got a `PosixFile` keeps
/// `pread`-ing it; the descriptor closes when the last reference goes (see `PosixFile`). So the
/// process holds `capacity` descriptors plus those reads in flight at that moment.
///
/// Thread-safety: one mutex, held for a dictionary lookup (a hit) or an insertion and eviction
/// (a miss); the `open` itself runs without it, so one log's miss does not stall another's reads.
/// Callers look files up while holding their log's lock (so retention cannot unlink the file
/// between the choice of a segment and its open); the cache never takes a log's lock.
public final class SegmentFileCache: Sendable {
    /// The default size of an engine's cache (`EngineConfig.maxOpenSegmentFiles`).
    public static let defaultCapacity = 128
    /// For logs opened outside an engine (the event store, queues, tools and tests).
    public static let shared = SegmentFileCache(capacity: defaultCapacity)

    private static let lastID = Atomic<UInt64>(0)

    /// A fresh identity for a segment file's bytes (a new segment, or a file compaction rewrote).
    static func newID() -> SegmentFileID {
        SegmentFileID(raw: lastID.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    private struct Entry {
        let file: PosixFile
        var lastUse: UInt64
    }

    private struct Entries {
        var files: [SegmentFileID: Entry] = [:]
        /// Advances on every lookup; an entry's `lastUse` orders evictions.
        var clock: UInt64 = 0
    }

    /// Most files kept open; 0 keeps none (every read opens and closes its file).
    public let capacity: Int
    private let entries: Mutex<Entries>

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        var initial = Entries()
        // Sized once, so lookups and replacements never grow the table on the read path.
        initial.files.reserveCapacity(min(self.capacity, 1 << 16) + 1)
        entries = Mutex(initial)
    }

    /// Descriptors the cache holds now.
    public var openFiles: Int { entries.withLock { $0.files.count } }

    /// The open file of `id`, opening `path` on a miss (and caching it when `keep`). A file that
    /// vanished or cannot be opened throws that read's error; nothing is cached for it.
    func file(_ id: SegmentFileID, path: String, faults: FaultInjector?, keep: Bool = true) throws(WharfError) -> PosixFile {
        if let hit = entries.withLock({ s -> PosixFile? in
            s.clock &+= 1
            guard let i = s.files.index(forKey: id) else { return nil }
            s.files.values[i].lastUse = s.clock
            return s.files.values[i].file
        }) {
            return hit
        }
        let opened: PosixFile
        do throws(WharfError) {
            opened = try PosixFile.open(path, faults: faults)
        } catch {
            throw .io("cannot read sealed segment: \(error)")
        }
        guard keep else { return opened }
        return insert(opened, id: id)
    }

    /// Keeps `file` as the open file of `id` (a segment just sealed hands over its descriptor),
    /// evicting the least recently used entries beyond `capacity`. If another reader cached `id`
    /// meanwhile, that file wins and is returned.
    @discardableResult
    func insert(_ file: PosixFile, id: SegmentFileID) -> PosixFile {
        guard capacity > 0 else { return file }
        // The evicted files are released after the lock, so their `close` runs outside it.
        var evicted: [PosixFile] = []
        let kept = entries.withLock { s -> PosixFile in
            s.clock &+= 1
            if let existing = s.files[id] {
                s.files[id]?.lastUse = s.clock
                return existing.file
            }
            // A linear scan for the oldest: only on a miss, which already costs an `open`.
            while s.files.count >= capacity, let oldest = s.files.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                evicted.append(oldest.value.file)
                s.files[oldest.key] = nil
            }
            s.files[id] = Entry(file: file, lastUse: s.clock)
            return file
        }
        evicted.removeAll()
        return kept
    }

    /// Forgets `id` (its segment was deleted or its file replaced), so the descriptor of an
    /// unlinked file does not keep its disk space.
    func remove(_ id: SegmentFileID) {
        // The removed entry is returned, so its descriptor closes after the lock is released.
        _ = entries.withLock { $0.files.removeValue(forKey: id) }
    }

    func remove(_ ids: some Sequence<SegmentFileID>) {
        var dropped: [PosixFile] = []
        entries.withLock { s in
            for id in ids { if let e = s.files.removeValue(forKey: id) { dropped.append(e.file) } }
        }
        dropped.removeAll()
    }
}

/// Identity of one segment file's bytes, unique in the process (see `SegmentFileCache`).
struct SegmentFileID: Hashable, Sendable {
    let raw: UInt64
}
