import Synchronization
import Testing
import WharfCore

@Suite struct AsyncCleanupTests {
    struct Boom: Error {}

    /// The cleanup has run by the time the caller sees the result, and when the body throws the
    /// caller sees the body's error after the cleanup ran.
    @Test func cleanupRunsBeforeTheCallerGoesOnWhetherTheBodyReturnsOrThrows() async throws {
        let cleaned = Mutex(0)
        let value = await withAsyncCleanup { 7 } cleanup: { cleaned.withLock { $0 += 1 } }
        #expect(value == 7 && cleaned.withLock { $0 } == 1)
        await #expect(throws: Boom.self) {
            try await withAsyncCleanup { () async throws -> Int in throw Boom() } cleanup: { cleaned.withLock { $0 += 1 } }
        }
        #expect(cleaned.withLock { $0 } == 2)
    }
}
