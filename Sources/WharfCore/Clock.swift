#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Wall-clock time in milliseconds since the Unix epoch, injected everywhere time matters
/// (retention, record timestamps, session timeouts, time lag) so tests never sleep.
public protocol WallClock: Sendable {
    func nowMillis() -> Int64
}

public struct SystemClock: WallClock {
    public init() {}
    public func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

/// A clock that moves only when told: for tests of TTLs, retention and timeouts.
public final class ManualClock: WallClock {
    private let now: Mutex<Int64>
    public init(_ start: Int64 = 1_700_000_000_000) { now = Mutex(start) }
    public func nowMillis() -> Int64 { now.withLock { $0 } }
    public func advance(byMillis ms: Int64) { now.withLock { $0 += ms } }
    public func set(_ ms: Int64) { now.withLock { $0 = ms } }
}

/// Monotonic nanoseconds, for measuring durations (benchmarks, rates); never for timestamps.
public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
