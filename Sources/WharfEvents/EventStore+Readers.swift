import WharfCore

/// What readers outside this module (projections) need from the store: the committed head of
/// a category, a category reader's lag, and the change signal to sleep on.
///
/// These read the same committed state appends publish under the store's lock (see
/// `CatchUpSubscription` for why no position below the head can still appear later), so a reader
/// that resumes after the last event it applied can never skip one.
extension EventStore {
    /// Events ever appended to streams of `category` (the head of its `$ce-` sequence).
    public func categoryEventCount(_ category: String) -> UInt64 {
        linkCount(.category(category))
    }

    /// Application events (system `$` streams left out) committed to `$all`.
    public var applicationEventCount: UInt64 {
        state.withLock { $0.index.end - UInt64($0.index.systemCount(in: 0..<$0.index.end)) }
    }

    /// Lag of a reader of `category` that has processed its first `processed` events.
    public func categoryLag(_ category: String, processed: UInt64) -> Lag {
        let (events, oldest) = state.withLock { s -> (UInt64, Int64?) in
            guard let positions = s.index.categoryPositions[category], processed < UInt64(positions.count) else { return (0, nil) }
            return (UInt64(positions.count) - processed, s.index.timestamps[Int(positions[Int(processed)])])
        }
        return Lag(events: events, oldestUnprocessedTimestamp: oldest, now: clock.nowMillis())
    }

    /// A counter bumped by every append; pass it to `waitForChange(since:)`.
    public var changeVersion: UInt64 { changes.version }

    /// Returns once something was appended after `changeVersion` read `version`, or at once when
    /// it already was, the store closed or the task is cancelled.
    public func waitForChange(since version: UInt64) async {
        await changes.wait(since: version)
    }
}

extension EventStore {
    /// True once `close()` ran; readers stop instead of reporting a fault.
    public var closed: Bool { isClosed }
}
