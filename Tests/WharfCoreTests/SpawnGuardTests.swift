import Testing
import WharfTestSupport

/// The load-time malloc setting of the test binaries is in force: an allocation the size of
/// opendir's buffer (32 KiB plus its header) gets its own page-rounded mapping, so the 256-byte
/// over-read in Foundation's `Process.run()` lands in that mapping's slack instead of unmapped
/// memory. Without the guard the same allocation comes from the heap with a few bytes to spare.
@Suite struct SpawnGuardTests {
    @Test func anOpendirSizedAllocationIsMappedWithSlackForTheOverRead() {
        let request = SpawnGuard.mmapThreshold + 64
        let usable = SpawnGuard.usableSize(of: request)
        #expect(usable >= request + 256, "usable \(usable) for \(request) bytes")
        #expect((usable + 16) % 4096 == 0, "a page-rounded mapping (usable \(usable))")
    }
}
