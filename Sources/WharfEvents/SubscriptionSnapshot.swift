import Foundation
import WharfCore

public enum SubscriptionState: Sendable, Equatable {
    case running
    case stopped
    case faulted(String)
    /// A reader replaying from the start after a reset (projections report it through
    /// `trackCheckpoint`); its progress is checkpoint against head, i.e. the lag.
    case rebuilding
}

public enum SubscriptionKind: String, Sendable, Equatable {
    case catchUp = "catch-up"
    case persistent
    /// A checkpoint kept by someone else (a projection) and reported with `trackCheckpoint`.
    case checkpoint
}

/// How far a reader is behind the head of what it reads.
public struct Lag: Sendable, Equatable {
    /// Events after the checkpoint up to the committed head (for `.all`, application events only).
    public var events: UInt64
    /// Append time (ms) of the oldest unprocessed event; nil when there is none.
    public var oldestUnprocessedTimestamp: Int64?
    /// `now - oldestUnprocessedTimestamp` in seconds (0 when nothing is unprocessed).
    public var seconds: Double

    public init(events: UInt64, oldestUnprocessedTimestamp: Int64?, now: Int64) {
        self.events = events
        self.oldestUnprocessedTimestamp = oldestUnprocessedTimestamp
        self.seconds = oldestUnprocessedTimestamp.map { Double(max(0, now - $0)) / 1000 } ?? 0
    }
}

/// What the dashboard shows for one subscription, persistent group or named checkpoint.
/// `checkpoint` is the last processed position (`.all`) or revision (stream); nil: none yet.
public struct SubscriptionSnapshot: Sendable, Equatable {
    public var name: String
    public var kind: SubscriptionKind
    public var source: EventSource
    public var state: SubscriptionState
    public var checkpoint: UInt64?
    public var lagEvents: UInt64
    public var lagSeconds: Double
    public var oldestUnprocessedTimestamp: Int64?
    /// Persistent groups: events currently parked (not yet replayed).
    public var parkedCount: UInt64
    /// Persistent groups: events delivered to a consumer and not yet acked or nacked.
    public var inFlightCount: Int
    /// Persistent groups: connected consumers.
    public var connectionCount: Int
}

/// Catch-up subscriptions alive in this process and checkpoints reported by other readers.
struct TrackedSubscriptions: Sendable {
    struct Entry: Sendable {
        var name: String
        var kind: SubscriptionKind
        var source: EventSource
        var checkpoint: UInt64?
        var state: SubscriptionState
    }
    var nextId: UInt64 = 0
    var catchUps: [UInt64: Entry] = [:]
    var checkpoints: [String: Entry] = [:]
}

extension StreamIndex {
    /// Unprocessed events of `source` after `checkpoint` (nil: nothing processed) up to `end`.
    func lag(source: EventSource, checkpoint: UInt64?) -> (events: UInt64, oldest: Int64?) {
        let next = checkpoint.map { $0 + 1 } ?? 0
        switch source {
        case .stream(let name):
            guard let positions = streams[name]?.positions, next < UInt64(positions.count) else { return (0, nil) }
            return (UInt64(positions.count) - next, timestamps[Int(positions[Int(next)])])
        case .all:
            guard next < end else { return (0, nil) }
            let events = end - next - UInt64(systemCount(in: next..<end))
            let first = firstApplicationPosition(from: next)
            return (events, first < end ? timestamps[Int(first)] : nil)
        }
    }
}

extension EventStore {
    /// Lag of a reader of `source` whose last processed position/revision is `checkpoint`.
    public func lag(of source: EventSource, checkpoint: UInt64?) -> Lag {
        let (events, oldest) = state.withLock { $0.index.lag(source: source, checkpoint: checkpoint) }
        return Lag(events: events, oldestUnprocessedTimestamp: oldest, now: clock.nowMillis())
    }

    /// Reports (creating or updating) a named checkpoint kept outside the store, such as a
    /// projection's, so it appears with its lag in `subscriptionSnapshots()`.
    public func trackCheckpoint(name: String, source: EventSource, checkpoint: UInt64?, state: SubscriptionState = .running) {
        tracked.withLock {
            $0.checkpoints[name] = .init(name: name, kind: .checkpoint, source: source, checkpoint: checkpoint, state: state)
        }
    }

    public func removeCheckpoint(name: String) {
        tracked.withLock { _ = $0.checkpoints.removeValue(forKey: name) }
    }

    /// Every live catch-up subscription, persistent group and tracked checkpoint with its lag,
    /// sorted by kind then name.
    public func subscriptionSnapshots() -> [SubscriptionSnapshot] {
        let entries = tracked.withLock { Array($0.catchUps.values) + Array($0.checkpoints.values) }
        var out = entries.map { e in
            let lag = lag(of: e.source, checkpoint: e.checkpoint)
            return SubscriptionSnapshot(name: e.name, kind: e.kind, source: e.source, state: e.state, checkpoint: e.checkpoint,
                                        lagEvents: lag.events, lagSeconds: lag.seconds,
                                        oldestUnprocessedTimestamp: lag.oldestUnprocessedTimestamp,
                                        parkedCount: 0, inFlightCount: 0, connectionCount: 0)
        }
        out += persistent.snapshots(store: self)
        return out.sorted { ($0.kind.rawValue, $0.name) < ($1.kind.rawValue, $1.name) }
    }

    /// The snapshot of the subscription group `group` on `source` (`wharf subscription describe`),
    /// whatever its kind prefixes to the name.
    public func subscriptionSnapshot(group: String, on source: EventSource) -> SubscriptionSnapshot? {
        subscriptionSnapshots().first { $0.source == source && $0.name.hasSuffix(group) }
    }
}
