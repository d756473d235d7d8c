import Synchronization
import WharfCore

/// Polls `condition` (1 ms apart, real time) until it holds (a throw counts as not yet); false
/// after `seconds` (generous: the suite runs in parallel on loaded 2-core CI machines; a pass
/// returns at once anyway).
public func eventually(seconds: Double = 60, _ condition: () throws -> Bool) async -> Bool {
    let deadline = monotonicNanos() + UInt64(seconds * 1e9)
    while monotonicNanos() < deadline {
        if (try? condition()) == true { return true }
        try? await Task.sleep(nanoseconds: 1_000_000)
    }
    return (try? condition()) == true
}

/// Whether `task` ends within `seconds` (real time; it is not cancelled either way). Under a
/// second it looks once at the end, for "not answered yet" checks; otherwise it polls as
/// `eventually` does.
public func finishes<T: Sendable>(_ task: Task<T, any Error>, within seconds: Double) async -> Bool {
    let done = Mutex(false)
    Task { _ = try? await task.value; done.withLock { $0 = true } }
    if seconds < 1 {
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
        return done.withLock { $0 }
    }
    return await eventually(seconds: seconds) { done.withLock { $0 } }
}
