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
