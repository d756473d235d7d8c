/// Number, size, rate, duration and time formatting for narrow table columns.
/// Pure integer arithmetic (no Foundation, no locale): output is identical on every machine,
/// which keeps snapshot tests deterministic.
public enum Format {
    /// 999, 1.2k, 12.3k, 123k, 1.2M, ... (SI, one decimal below 100).
    public static func count(_ value: Int64) -> String {
        if value < 0 { return "-" + count(-value) }
        if value < 1000 { return String(value) }
        return scaled(Double(value), base: 1000, units: ["k", "M", "G", "T", "P"])
    }

    /// Bytes in IEC units: 512 B, 1.5 KiB, 12 MiB.
    public static func bytes(_ value: Int64) -> String {
        if value < 0 { return "-" + bytes(-value) }
        if value < 1024 { return "\(value) B" }
        return scaled(Double(value), base: 1024, units: [" KiB", " MiB", " GiB", " TiB", " PiB"])
    }

    /// Records per second: "0", "3.5", "120", "1.2k".
    public static func rate(_ perSecond: Double) -> String {
        if !perSecond.isFinite { return "-" }
        if perSecond < 0 { return "-" + rate(-perSecond) }
        if perSecond < 0.05 { return "0" }
        if perSecond < 100 { return oneDecimal(perSecond) }
        return count(Int64(perSecond.rounded()))
    }

    /// Milliseconds as a short duration: "0s", "850ms", "42s", "3m12s", "5h03m", "2d04h".
    public static func duration(ms: Int64) -> String {
        if ms < 0 { return "-" + duration(ms: -ms) }
        if ms < 1000 { return ms == 0 ? "0s" : "\(ms)ms" }
        let s = ms / 1000
        if s < 60 { return "\(s)s" }
        let m = s / 60
        if m < 60 { return "\(m)m" + pad2(s % 60) + "s" }
        let h = m / 60
        if h < 24 { return "\(h)h" + pad2(m % 60) + "m" }
        return "\(h / 24)d" + pad2(h % 24) + "h"
    }

    /// "HH:MM:SS" (UTC) of a Unix time in milliseconds.
    public static func clock(ms: Int64) -> String {
        let secOfDay = Int((ms / 1000) % 86_400 + 86_400) % 86_400
        return pad2(Int64(secOfDay / 3600)) + ":" + pad2(Int64(secOfDay / 60 % 60)) + ":" + pad2(Int64(secOfDay % 60))
    }

    /// "YYYY-MM-DD HH:MM:SS.mmm" (UTC) of a Unix time in milliseconds.
    public static func timestamp(ms: Int64) -> String {
        let days = floorDiv(ms, 86_400_000)
        let (y, mo, d) = CivilDate.fromDays(days)
        let msOfDay = ms - days * 86_400_000
        let millis = msOfDay % 1000
        let millisText = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(y)-" + pad2(Int64(mo)) + "-" + pad2(Int64(d)) + " " + clock(ms: ms) + "." + millisText
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func pad2(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func oneDecimal(_ v: Double) -> String {
        let tenths = Int64((v * 10).rounded())
        if tenths % 10 == 0 { return "\(tenths / 10)" }
        return "\(tenths / 10).\(tenths % 10)"
    }

    private static func scaled(_ value: Double, base: Double, units: [String]) -> String {
        var v = value / base
        var i = 0
        while v >= base * 0.9995 && i < units.count - 1 { v /= base; i += 1 }
        if v < 99.95 { return oneDecimal(v) + units[i] }
        return "\(Int64(v.rounded()))" + units[i]
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days-from-civil), UTC only.
public enum CivilDate {
    public static func toDays(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func fromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DDTHH:MM:SS" (UTC, optional trailing Z)
    /// into Unix milliseconds; nil when malformed.
    public static func parse(_ text: String) -> Int64? {
        var s = Substring(text.trimmingWhitespace())
        if s.hasSuffix("Z") { s = s.dropLast() }
        let parts = s.split(whereSeparator: { $0 == "T" || $0 == " " })
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-")
        guard date.count == 3, let y = Int64(date[0]), let mo = Int64(date[1]), let d = Int64(date[2]),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var seconds: Int64 = 0
        if parts.count == 2 {
            let time = parts[1].split(separator: ":")
            guard time.count == 2 || time.count == 3, let h = Int64(time[0]), let mi = Int64(time[1]),
                  (0...23).contains(h), (0...59).contains(mi) else { return nil }
            var sec: Int64 = 0
            if time.count == 3 { guard let v = Int64(time[2]), (0...60).contains(v) else { return nil }; sec = v }
            seconds = h * 3600 + mi * 60 + sec
        }
        return (toDays(year: y, month: mo, day: d) * 86_400 + seconds) * 1000
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}
