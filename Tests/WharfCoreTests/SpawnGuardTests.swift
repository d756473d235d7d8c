import Testing
import WharfTestSupport

/// The load-time malloc settings of the test binaries are in force: every thread allocates from
/// the main heap, which grows with a 64 MiB pad, so an allocation the size of opendir's buffer
/// (32 KiB plus its header) is followed by far more than the 256 bytes Foundation's
/// `Process.run()` may over-read. Without them a thread's arena can end a few bytes after it.
@Suite struct SpawnGuardTests {
    @Test func anOpendirSizedAllocationIsFollowedByMoreThanTheOverRead() {
        let request = SpawnGuard.mmapThreshold + 64
        #expect(SpawnGuard.mappedBytes(after: request) >= 256)
    }

    @Test func everyThreadAllocatesFromTheMainHeap() {
        #expect(SpawnGuard.threadsUseTheMainHeap)
    }
}
