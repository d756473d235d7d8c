import Foundation
import WharfESDBProtocol
import WharfEvents

/// A `$all` read's or subscription's server-side filter: on the event type or the stream name,
/// a regular expression (searched, as .NET's Regex.IsMatch does; the clients' default excludes
/// system events with a negative lookahead, which ICU supports) or a list of prefixes.
struct ReadFilter: @unchecked Sendable {
    // @unchecked: NSRegularExpression is immutable after init and documented thread-safe for
    // matching; it is the only non-Sendable member.
    enum Target { case eventType, streamName }
    let target: Target
    let regex: NSRegularExpression?
    let prefixes: [String]
    /// Considered events between two checkpoints of a filtered subscription.
    let checkpointInterval: Int

    init?(_ options: EventStore_Client_Streams_ReadReq.Options.FilterOptions?) throws(ESDBError) {
        guard let options else { return nil }
        let expression: EventStore_Client_Streams_ReadReq.Options.FilterOptions.Expression
        switch options.filter {
        case .eventType(let e): (target, expression) = (.eventType, e)
        case .streamIdentifier(let e): (target, expression) = (.streamName, e)
        case nil: return nil
        }
        prefixes = expression.prefix
        if expression.regex.isEmpty {
            regex = nil
        } else {
            do { regex = try NSRegularExpression(pattern: expression.regex) } catch {
                throw .badRequest("invalid filter regex '\(expression.regex)'")
            }
        }
        let window: UInt64 = switch options.window {
        case .max(let m): UInt64(max(m, 1))
        case .count, nil: 1
        }
        let multiplier = UInt64(max(options.checkpointIntervalMultiplier, 1))
        checkpointInterval = Int(clamping: window.multipliedReportingOverflow(by: multiplier).partialValue)
    }

    func matches(_ event: RecordedEvent) -> Bool {
        let text = target == .eventType ? event.type : event.stream
        if !prefixes.isEmpty, prefixes.contains(where: { text.hasPrefix($0) }) { return true }
        guard let regex else { return prefixes.isEmpty }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
