/// Lag status of a consumer partition, by Burrow's rules (linkedin/Burrow
/// `core/internal/evaluator/caching.go`, see reference/dashboards.md).
/// Ordered by severity, so the group status is the `max` of its partitions.
public enum LagStatus: Int, Comparable, Sendable, CaseIterable {
    case ok = 0, warn, rewind, stall, stop

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var label: String {
        switch self {
        case .ok: "OK"
        case .warn: "WARN"
        case .rewind: "REWIND"
        case .stall: "STALL"
        case .stop: "STOP"
        }
    }

    public var role: StyleRole {
        switch self {
        case .ok: .statusOK
        case .warn: .statusWarn
        case .rewind: .statusRewind
        case .stall: .statusStall
        case .stop: .statusStop
        }
    }
}

/// One observed commit: offset, when it was committed, and the lag right then.
public struct CommitEntry: Equatable, Sendable {
    public var offset: Int64
    public var timestampMs: Int64
    public var lag: Int64
    public init(offset: Int64, timestampMs: Int64, lag: Int64) {
        self.offset = offset
        self.timestampMs = timestampMs
        self.lag = lag
    }
}

public struct BurrowConfig: Equatable, Sendable {
    /// Commits kept per partition (Burrow's `intervals`).
    public var intervals: Int
    /// Lag at or below this is always OK (Burrow's `allowed-lag`).
    public var allowedLag: Int64
    /// STOP needs at least this much silence, on top of Burrow's "longer than the window spans".
    /// Burrow has no such floor; without it a one-commit window right after start reads STOP.
    public var minimumStopMs: Int64

    public init(intervals: Int = 10, allowedLag: Int64 = 0, minimumStopMs: Int64 = 0) {
        self.intervals = max(1, intervals)
        self.allowedLag = allowedLag
        self.minimumStopMs = minimumStopMs
    }

    public static let burrow = BurrowConfig()
}

/// Burrow's partition rules, in Burrow's order, for a window of commits (oldest first).
///
/// With current lag above `allowedLag`:
/// 1. STOP: the time since the last commit exceeds the time the window spans, unless a recent
///    broker end offset is <= the committed offset (Burrow #338: nothing new to consume).
/// 2. REWIND: the committed offset went backwards and has not recovered to its earlier high.
/// 3. Only if lag was non-zero in every entry: STALL when the offset never changed,
///    otherwise WARN when the lag never decreased.
/// Otherwise OK. Deviation: STALL and WARN need at least two entries.
public enum BurrowEvaluator {
    public static func status<W: RandomAccessCollection, B: Sequence>(
        window: W, brokerEnds: B, currentLag: Int64, nowMs: Int64, config: BurrowConfig = .burrow
    ) -> LagStatus where W.Element == CommitEntry, W.Index == Int, B.Element == Int64 {
        guard currentLag > config.allowedLag, let first = window.first, let last = window.last else { return .ok }
        let span = last.timestampMs - first.timestampMs
        let silence = nowMs - last.timestampMs
        if silence > span && silence > config.minimumStopMs {
            let nothingToConsume = brokerEnds.contains { $0 <= last.offset }
            if !nothingToConsume { return .stop }
        }
        var high = first.offset
        var rewound = false
        for entry in window.dropFirst() {
            if entry.offset < high { rewound = true } else { rewound = false; high = entry.offset }
        }
        if rewound { return .rewind }
        // One entry says nothing about progress; Burrow would call it STALL.
        guard window.count >= 2 else { return .ok }
        if window.allSatisfy({ $0.lag > config.allowedLag }) {
            if window.allSatisfy({ $0.offset == first.offset }) { return .stall }
            var decreased = false
            for i in (window.startIndex + 1)..<window.endIndex where window[i].lag < window[i - 1].lag { decreased = true; break }
            if !decreased { return .warn }
        }
        return .ok
    }

    /// Why a partition has `status`, in words, from the same window (for the group detail view).
    public static func explain<W: RandomAccessCollection>(_ status: LagStatus, window: W, nowMs: Int64) -> String?
    where W.Element == CommitEntry, W.Index == Int {
        guard status != .ok, let first = window.first, let last = window.last else { return nil }
        switch status {
        case .ok:
            return nil
        case .stop:
            return "no commit for \(Format.duration(ms: nowMs - last.timestampMs)), longer than the window spans "
                + "(\(Format.duration(ms: last.timestampMs - first.timestampMs)), \(window.count) commits)"
        case .rewind:
            let high = window.map(\.offset).max() ?? last.offset
            return "committed offset went back from \(high) to \(last.offset)"
        case .stall:
            return "offset \(last.offset) unchanged over \(window.count) commits while lag stayed above zero"
        case .warn:
            return "lag never decreased over \(window.count) commits (\(first.lag) → \(last.lag))"
        }
    }
}
