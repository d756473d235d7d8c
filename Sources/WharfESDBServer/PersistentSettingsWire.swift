import Foundation
import WharfESDBProtocol
import WharfEvents

/// The settings part of CreateReq and UpdateReq (two message types with the same fields).
protocol PersistentSettingsMessage {
    var resolveLinks: Bool { get }
    var extraStatistics: Bool { get }
    var maxRetryCount: Int32 { get }
    var minCheckpointCount: Int32 { get }
    var maxCheckpointCount: Int32 { get }
    var maxSubscriberCount: Int32 { get }
    var liveBufferSize: Int32 { get }
    var readBatchSize: Int32 { get }
    var historyBufferSize: Int32 { get }
    /// The message timeout in ms, from whichever form the client sent (nil: none).
    var messageTimeoutMillis: Int64? { get }
    var checkpointAfterMillis: Int64? { get }
    /// The strategy's name: the string when sent (Python's Create), else the enum's.
    var strategyName: String { get }
}

extension EventStore_Client_PersistentSubscriptions_CreateReq.Settings: PersistentSettingsMessage {
    var messageTimeoutMillis: Int64? {
        switch messageTimeout {
        case .messageTimeoutMs(let ms): Int64(ms)
        case .messageTimeoutTicks(let ticks): PersistentSettingsWire.millis(ticks: ticks)
        case nil: nil
        }
    }

    var checkpointAfterMillis: Int64? {
        switch checkpointAfter {
        case .checkpointAfterMs(let ms): Int64(ms)
        case .checkpointAfterTicks(let ticks): PersistentSettingsWire.millis(ticks: ticks)
        case nil: nil
        }
    }

    var strategyName: String {
        if !consumerStrategy.isEmpty { return consumerStrategy }
        return switch namedConsumerStrategy {
        case .dispatchToSingle: "DispatchToSingle"
        case .roundRobin: "RoundRobin"
        case .pinned: "Pinned"
        case .UNRECOGNIZED(let n): "\(n)"
        }
    }
}

extension EventStore_Client_PersistentSubscriptions_UpdateReq.Settings: PersistentSettingsMessage {
    var messageTimeoutMillis: Int64? {
        switch messageTimeout {
        case .messageTimeoutMs(let ms): Int64(ms)
        case .messageTimeoutTicks(let ticks): PersistentSettingsWire.millis(ticks: ticks)
        case nil: nil
        }
    }

    var checkpointAfterMillis: Int64? {
        switch checkpointAfter {
        case .checkpointAfterMs(let ms): Int64(ms)
        case .checkpointAfterTicks(let ticks): PersistentSettingsWire.millis(ticks: ticks)
        case nil: nil
        }
    }

    var strategyName: String {
        switch namedConsumerStrategy {
        case .dispatchToSingle: "DispatchToSingle"
        case .roundRobin: "RoundRobin"
        case .pinned: "Pinned"
        case .UNRECOGNIZED(let n): "\(n)"
        }
    }
}

/// Settings and start points between the protocol and the engine, one rule each.
///
/// - Start points: a stream revision is inclusive (revision r is `.after(r - 1)`); a `$all`
///   position is inclusive too, and wire positions are Wharf's + 1 (`ESDBWire`), so commit c is
///   `.after(c - 2)`. GetInfo writes them back as the clients parse them: `"0"`, `"-1"`, `"r"`
///   for streams, `"C:c/P:c"` for `$all` (`C:0/P:0` start, `C:-1/P:-1` end).
/// - `live_buffer_size` is the engine's read-ahead (`bufferSize`); `min_checkpoint_count` its
///   `checkpointAfterAcks`; the others are kept and reported (see the engine's settings).
/// - A message timeout of 0 means none (KurrentDB's meaning); the engine gets `noTimeoutMillis`.
/// - Refused as KurrentDB refuses them (INTERNAL, "failed"): an unknown consumer strategy, a
///   history buffer smaller than the read batch, sizes below 1; Pinned and PinnedByCorrelation,
///   which Wharf's engine does not implement, with that reason.
enum PersistentSettingsWire {
    /// About 146,000 years: an event in flight is never timed out.
    static let noTimeoutMillis = Int64.max / 1_000_000

    /// 100 ns ticks (the .NET client's TimeSpan) to ms.
    static func millis(ticks: Int64) -> Int64 { ticks / 10_000 }

    static func settings(_ wire: some PersistentSettingsMessage, startFrom: StartPoint,
                         filter: EventFilter?) throws(PersistentSubscriptionError.Reason) -> PersistentSubscriptionSettings {
        let strategy: ConsumerStrategy
        switch wire.strategyName {
        case ConsumerStrategy.dispatchToSingle.rawValue: strategy = .dispatchToSingle
        case ConsumerStrategy.roundRobin.rawValue: strategy = .roundRobin
        case "Pinned", "PinnedByCorrelation":
            throw .init("the \(wire.strategyName) consumer strategy is not supported by Wharf (use DispatchToSingle or RoundRobin)")
        default: throw .init("unknown consumer strategy '\(wire.strategyName)'")
        }
        guard wire.liveBufferSize >= 1, wire.readBatchSize >= 1, wire.historyBufferSize >= 1 else {
            throw .init("live buffer size, read batch size and history buffer size must be at least 1")
        }
        guard wire.historyBufferSize >= wire.readBatchSize else {
            throw .init("history buffer size (\(wire.historyBufferSize)) must be at least the read batch size (\(wire.readBatchSize))")
        }
        guard wire.maxRetryCount >= 0, wire.maxSubscriberCount >= 0, wire.minCheckpointCount >= 0, wire.maxCheckpointCount >= 0 else {
            throw .init("max retry count, max subscriber count and checkpoint counts must not be negative")
        }
        guard wire.minCheckpointCount <= wire.maxCheckpointCount else {
            throw .init("min checkpoint count (\(wire.minCheckpointCount)) must not exceed max checkpoint count (\(wire.maxCheckpointCount))")
        }
        let timeout = wire.messageTimeoutMillis ?? 30_000
        guard timeout >= 0 else { throw .init("message timeout must not be negative") }
        var s = PersistentSubscriptionSettings(startFrom: startFrom, maxRetryCount: Int(wire.maxRetryCount),
                                               messageTimeoutMillis: timeout == 0 ? noTimeoutMillis : timeout,
                                               checkpointAfterAcks: max(1, Int(wire.minCheckpointCount)), bufferSize: Int(wire.liveBufferSize))
        s.resolveLinks = wire.resolveLinks
        s.maxSubscriberCount = Int(wire.maxSubscriberCount)
        s.consumerStrategy = strategy
        s.filter = filter
        s.maxCheckpointCount = Int(wire.maxCheckpointCount)
        s.checkpointAfterMillis = max(0, wire.checkpointAfterMillis ?? s.checkpointAfterMillis)
        s.readBatchSize = Int(wire.readBatchSize)
        s.historyBufferSize = Int(wire.historyBufferSize)
        s.extraStatistics = wire.extraStatistics
        return s
    }

    // MARK: Start points

    static func streamStart(_ option: EventStore_Client_PersistentSubscriptions_CreateReq.StreamOptions.OneOf_RevisionOption?) -> StartPoint {
        switch option {
        case .revision(let r): streamStart(revision: r)
        case .start: .start
        case .end, nil: .end
        }
    }

    static func streamStart(_ option: EventStore_Client_PersistentSubscriptions_UpdateReq.StreamOptions.OneOf_RevisionOption?) -> StartPoint {
        switch option {
        case .revision(let r): streamStart(revision: r)
        case .start: .start
        case .end, nil: .end
        }
    }

    static func streamStart(revision: UInt64) -> StartPoint { revision == 0 ? .start : .after(revision - 1) }

    static func allStart(_ option: EventStore_Client_PersistentSubscriptions_CreateReq.AllOptions.OneOf_AllOption?) -> StartPoint {
        switch option {
        case .position(let p): allStart(commit: p.commitPosition)
        case .start: .start
        case .end, nil: .end
        }
    }

    static func allStart(_ option: EventStore_Client_PersistentSubscriptions_UpdateReq.AllOptions.OneOf_AllOption?) -> StartPoint {
        switch option {
        case .position(let p): allStart(commit: p.commitPosition)
        case .start: .start
        case .end, nil: .end
        }
    }

    static func allStart(commit: UInt64) -> StartPoint { commit <= 1 ? .start : .after(commit - 2) }

    /// The start point as GetInfo reports it.
    static func startFrom(_ start: StartPoint, all: Bool) -> String {
        switch (start, all) {
        case (.start, false): "0"
        case (.end, false): "-1"
        case (.after(let r), false): "\(r &+ 1)"
        case (.start, true): "C:0/P:0"
        case (.end, true): "C:-1/P:-1"
        case (.after(let p), true): position(ESDBWire.commitPosition(p &+ 1))
        }
    }

    /// A checkpoint or last-known key as GetInfo reports it ("" when none).
    static func key(_ key: UInt64?, all: Bool) -> String {
        guard let key else { return "" }
        return all ? position(ESDBWire.commitPosition(key)) : "\(key)"
    }

    static func position(_ commit: UInt64) -> String { "C:\(commit)/P:\(commit)" }

    static func filter(_ option: EventStore_Client_PersistentSubscriptions_CreateReq.AllOptions.OneOf_FilterOption?) -> EventFilter? {
        guard case .filter(let f) = option else { return nil }
        switch f.filter {
        case .eventType(let e): return EventFilter(target: .eventType, regex: e.regex.isEmpty ? nil : e.regex, prefixes: e.prefix)
        case .streamIdentifier(let e): return EventFilter(target: .streamName, regex: e.regex.isEmpty ? nil : e.regex, prefixes: e.prefix)
        case nil: return nil
        }
    }

    // MARK: GetInfo / List

    static func info(_ status: PersistentSubscriptionStatus) -> EventStore_Client_PersistentSubscriptions_SubscriptionInfo {
        let settings = status.info.settings
        let all = status.info.source == .all
        var info = EventStore_Client_PersistentSubscriptions_SubscriptionInfo()
        info.eventSource = status.info.source.description
        info.groupName = status.info.group
        info.status = "Live"
        info.connections = status.connections.map { c in
            var connection = EventStore_Client_PersistentSubscriptions_SubscriptionInfo.ConnectionInfo()
            connection.from = c.consumerName
            connection.connectionName = c.consumerName
            connection.inFlightMessages = Int32(clamping: c.inFlight)
            return connection
        }
        info.lastCheckpointedEventPosition = key(status.checkpoint, all: all)
        info.lastKnownEventPosition = key(status.lastKnown, all: all)
        info.resolveLinkTos = settings.resolveLinks
        info.startFrom = startFrom(settings.startFrom, all: all)
        info.messageTimeoutMilliseconds = settings.messageTimeoutMillis == noTimeoutMillis ? 0 : Int32(clamping: settings.messageTimeoutMillis)
        info.extraStatistics = settings.extraStatistics
        info.maxRetryCount = Int32(clamping: settings.maxRetryCount)
        info.liveBufferSize = Int32(clamping: settings.bufferSize)
        info.bufferSize = Int32(clamping: settings.historyBufferSize)
        info.readBatchSize = Int32(clamping: settings.readBatchSize)
        info.checkPointAfterMilliseconds = Int32(clamping: settings.checkpointAfterMillis)
        info.minCheckPointCount = Int32(clamping: settings.checkpointAfterAcks)
        info.maxCheckPointCount = Int32(clamping: settings.maxCheckpointCount)
        info.liveBufferCount = Int64(status.readyCount)
        info.retryBufferCount = Int32(clamping: status.retryCount)
        info.totalInFlightMessages = Int32(clamping: status.inFlightCount)
        info.outstandingMessagesCount = Int32(clamping: status.inFlightCount)
        info.namedConsumerStrategy = settings.consumerStrategy.rawValue
        info.maxSubscriberCount = Int32(clamping: settings.maxSubscriberCount)
        info.parkedMessageCount = Int64(clamping: status.parkedCount)
        return info
    }
}

extension PersistentSubscriptionError {
    /// Why settings were refused, before the group and stream are known.
    struct Reason: Error, Equatable {
        var text: String
        init(_ text: String) { self.text = text }
    }
}
