import CWharfSpawnGuard

/// The test binaries' guard against Foundation's `Process.run()` over-reading /proc/self/fd
/// entries on Linux (Tests/CWharfSpawnGuard/spawn_guard.c): one padded main arena.
public enum SpawnGuard {
    public static var mmapThreshold: Int { Int(wharf_spawn_guard_mmap_threshold()) }

    /// How many mapped bytes follow a fresh allocation of `request` bytes.
    public static func mappedBytes(after request: Int) -> Int { wharf_spawn_guard_heap_bytes_after(request) }

    /// Whether other threads allocate from the main heap (one arena, grown with a pad).
    public static var threadsUseTheMainHeap: Bool { wharf_spawn_guard_threads_use_the_main_heap() != 0 }
}
