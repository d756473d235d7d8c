/// Number, size, rate, duration and time formatting for narrow table columns.
/// Pure integer arithmetic (no Foundation, no locale): output is identical on every machine,
/// which keeps snapshot tests deterministic.
public enum Format {
    /// 999, 1.2k, 12.3k, 123k, 1.2M, ... (SI, one decimal below 100).
    public static func count(_ value: Int64) -> String {
        // Not plain `-value`: a hostile committed offset can make this Int64.min.
        if value < 0 { return "-" + count(value == .min ? .max : -value) }
        if value < 1000 { return String(value) }
        return scaled(Double(value), base: 1000, units: ["k", "M", "G", "T", "P"])
    }

    /// Bytes in IEC units: 512 B, 1.5 KiB, 12 MiB.
    /// A size that may be unknown (negative): "-" then.
    public static func size(_ value: Int64) -> String { value < 0 ? "-" : bytes(value) }

    public static func bytes(_ value: Int64) -> String {
        if value < 0 { return "-" + (value == .min ? bytes(.max) : bytes(-value)) }
        if value < 1024 { return "\(value) B" }
        return scaled(Double(value), base: 1024, units: [" KiB", " MiB", " GiB", " TiB", " PiB"])
    }

    /// Records per second: "0", "3.5", "120", "1.2k".
    public static func rate(_ perSecond: Double) -> String {
        if !perSecond.isFinite { return "-" }
        if perSecond < 0 { return "-" + rate(-perSecond) }
        if perSecond < 0.05 { return "0" }
        if perSecond < 100 { return oneDecimal(perSecond) }
        return count(Int64(exactly: perSecond.rounded()) ?? .max)
    }

    /// Milliseconds as a short duration: "0s", "850ms", "42s", "3m12s", "5h03m", "2d04h".
    public static func duration(ms: Int64) -> String {
        if ms < 0 { return "-" + duration(ms: ms == .min ? .max : -ms) }
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

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}
