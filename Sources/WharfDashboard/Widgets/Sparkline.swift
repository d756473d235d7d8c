/// A one-row chart of recent values with the eight block glyphs ▁▂▃▄▅▆▇█.
/// Rates scale from zero to the largest shown (all-zero data draws the lowest bar); with
/// `fromMinimum`, from the smallest to the largest, so a slow drift (lag creeping up) is
/// visible; a flat series then draws the lowest bar.
public enum Sparkline {
    static let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The newest `width` values as a string of exactly `width` glyphs (left-padded with spaces).
    public static func string<C: Collection>(_ values: C, width: Int, fromMinimum: Bool = false) -> String where C.Element == Double {
        guard width > 0 else { return "" }
        let shown = values.suffix(width)
        let top = shown.max() ?? 0
        let bottom = fromMinimum ? (shown.min() ?? 0) : 0
        let range = top - bottom
        var out = String(repeating: " ", count: width - shown.count)
        for v in shown {
            let level = range > 0 && v > bottom ? min(7, max(0, Int(((v - bottom) / range * 7).rounded()))) : 0
            out.append(bars[level])
        }
        return out
    }

    public static func render<C: Collection>(_ values: C, into canvas: inout Canvas, rect: Rect, role: StyleRole = .sparkline)
    where C.Element == Double {
        guard !rect.isEmpty else { return }
        canvas.write(string(values, width: rect.width), x: rect.x, y: rect.y, maxWidth: rect.width, role: role)
    }
}
