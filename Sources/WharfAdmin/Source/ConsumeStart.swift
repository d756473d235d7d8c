import WharfCore

/// Where a reading of a topic (`wharf consume`) starts in each partition. Unlike `ReadStart`, an
/// offset outside the retained range is an error, not clamped: the user asked for that record.
public enum ConsumeStart: Sendable, Equatable {
    case earliest, latest, offset(Int64), time(Int64)

    /// `earliest` (or `beginning`), `latest` (or `end`), an offset, or an ISO-8601 time.
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "earliest", "beginning": self = .earliest
        case "latest", "end": self = .latest
        default:
            if let o = Int64(text), o >= 0, text.count < 13 { self = .offset(o) } else if let t = TimeParsing.dateTimeMillis(text) {
                self = .time(t)
            } else {
                return nil
            }
        }
    }
}
