import CWharfSpawnGuard

/// The test binaries' guard against Foundation's `Process.run()` over-reading /proc/self/fd
/// entries on Linux (Tests/CWharfSpawnGuard/spawn_guard.c): allocations of at least
/// `mmapThreshold` bytes are mapped on their own, page-rounded.
public enum SpawnGuard {
    public static var mmapThreshold: Int { Int(wharf_spawn_guard_mmap_threshold()) }

    /// How many bytes a fresh allocation of `request` bytes may use.
    public static func usableSize(of request: Int) -> Int { wharf_spawn_guard_usable_size_of(request) }
}
