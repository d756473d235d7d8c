import Foundation
import WharfESDBProtocol
import WharfEvents

/// A `$all` read's or subscription's server-side filter: the event store's `EventFilter` (on the
/// event type or the stream name, a regular expression or prefixes), and how often a filtered
/// subscription reports a checkpoint.
struct ReadFilter: Sendable {
    let matcher: EventFilter.Matcher
    /// Considered events between two checkpoints of a filtered subscription.
    let checkpointInterval: Int

    init?(_ options: EventStore_Client_Streams_ReadReq.Options.FilterOptions?) throws(ESDBError) {
        guard let options else { return nil }
        let filter: EventFilter
        switch options.filter {
        case .eventType(let e): filter = EventFilter(target: .eventType, regex: e.regex, prefixes: e.prefix)
        case .streamIdentifier(let e): filter = EventFilter(target: .streamName, regex: e.regex, prefixes: e.prefix)
        case nil: return nil
        }
        do { try filter.validate() } catch { throw .badRequest("invalid filter regex '\(filter.regex ?? "")'") }
        matcher = filter.matcher()
        let window: UInt64 = switch options.window {
        case .max(let m): UInt64(max(m, 1))
        case .count, nil: 1
        }
        let multiplier = UInt64(max(options.checkpointIntervalMultiplier, 1))
        checkpointInterval = Int(clamping: window.multipliedReportingOverflow(by: multiplier).partialValue)
    }

    func matches(_ event: RecordedEvent) -> Bool { matcher.matches(event) }
}
