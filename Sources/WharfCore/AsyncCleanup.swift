/// Runs `body`, then `cleanup`, whether `body` returned or threw: the async `defer` Swift lacks.
/// (A `defer { Task { await cleanup() } }` returns before the cleanup has run, so a caller
/// can go on, or a test end, with the resource still open.)
public func withAsyncCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async rethrows -> T {
    let result: T
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}
