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
