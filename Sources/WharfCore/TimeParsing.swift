import Foundation

/// Parsing of the time forms users type: ISO-8601 date-times and durations. Shared by the CLI
/// and the dashboard so `--to-datetime` and the reset dialog accept exactly the same text.
public enum TimeParsing {
    /// Milliseconds since the epoch from `2026-11-26T10:00:00Z`, `2026-11-26T10:00:00.250+01:00`,
    /// `2026-11-26T10:00:00` (UTC when no zone is given, stated in help texts), `2026-11-26`
    /// (midnight UTC), or a bare number of epoch milliseconds.
    public static func dateTimeMillis(_ text: String) -> Int64? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if let ms = Int64(s), ms >= 0 { return ms }
        let withZone = ISO8601DateFormatter()
        withZone.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        for candidate in [s, s + "Z"] {
            if let d = withZone.date(from: candidate) ?? plain.date(from: candidate) {
                return Int64((d.timeIntervalSince1970 * 1000).rounded())
            }
        }
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        if let d = dateOnly.date(from: s) { return Int64(d.timeIntervalSince1970 * 1000) }
        return nil
    }

    /// Milliseconds from an ISO-8601 duration (`PT10M`, `P1DT2H`, `PT0.5S`) or a short form
    /// (`500ms`, `30s`, `10m`, `2h`, `7d`, and sums of them: `1h30m`). Negative durations, and
    /// durations beyond what an Int64 of milliseconds holds, are refused. The one rule for
    /// every duration a user types: the CLI's `--by-duration` and the dashboard's replay dialog.
    public static func durationMillis(_ text: String) -> Int64? {
        let s = text.trimmingCharacters(in: .whitespaces).uppercased()
        if s.hasPrefix("P") { return isoDuration(s) }
        return shortDuration(s)
    }

    /// `1h30m`, `500ms`, `1.5h`: numbers each followed by a unit (MS, S, M, H, D).
    private static func shortDuration(_ s: String) -> Int64? {
        let chars = Array(s)
        var total = 0.0
        var number = ""
        var sawComponent = false
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isASCII && (c.isNumber || c == ".") { number.append(c); i += 1; continue }
            guard let n = Double(number), n.isFinite else { return nil }
            let factor: Double
            if c == "M", i + 1 < chars.count, chars[i + 1] == "S" { factor = 1; i += 1 } else {
                switch c {
                case "S": factor = 1000
                case "M": factor = 60_000
                case "H": factor = 3_600_000
                case "D": factor = 86_400_000
                default: return nil
                }
            }
            total += n * factor
            number = ""
            sawComponent = true
            i += 1
        }
        guard number.isEmpty, sawComponent else { return nil }
        return millis(total)
    }

    /// Whole milliseconds, or nil when out of Int64's range (a conversion that would trap).
    private static func millis(_ total: Double) -> Int64? {
        let rounded = total.rounded()
        guard rounded.isFinite, rounded >= 0, rounded < 9.2e18 else { return nil }
        return Int64(rounded)
    }

    private static func isoDuration(_ s: String) -> Int64? {
        var total = 0.0
        var number = ""
        var inTime = false
        var sawComponent = false
        for c in s.dropFirst() {
            switch c {
            case "T": inTime = true
            case "0"..."9", ".", ",": number.append(c == "," ? "." : c)
            default:
                guard let n = Double(number) else { return nil }
                number = ""
                sawComponent = true
                switch (c, inTime) {
                case ("W", false): total += n * 7 * 86_400_000
                case ("D", false): total += n * 86_400_000
                case ("H", true): total += n * 3_600_000
                case ("M", true): total += n * 60_000
                case ("S", true): total += n * 1000
                default: return nil  // years and months have no fixed length: refuse them
                }
            }
        }
        guard number.isEmpty, sawComponent else { return nil }
        return millis(total)
    }

    /// `2026-11-26T10:00:00.000Z` for a timestamp (UTC), as the CLI prints times.
    public static func iso(_ ms: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}
