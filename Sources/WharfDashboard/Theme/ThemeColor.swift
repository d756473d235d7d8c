/// A colour as a theme file names it.
public enum ThemeColor: Equatable, Hashable, Sendable {
    /// The terminal's own foreground or background ("default").
    case terminalDefault
    /// One of the 16 ANSI colours (0-7 normal, 8-15 bright), which users' terminal
    /// palettes may redefine.
    case ansi(UInt8)
    /// An xterm-256 index.
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)

    static let ansiNames: [String: UInt8] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright-black": 8, "gray": 8, "grey": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11,
        "bright-blue": 12, "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    /// Parses "default", an ANSI name ("red", "bright-blue"), "#rrggbb", or "color0".."color255".
    public static func parse(_ text: String) -> ThemeColor? {
        let t = text.lowercased()
        if t == "default" || t == "none" { return .terminalDefault }
        if let n = ansiNames[t] { return .ansi(n) }
        if t.hasPrefix("color"), let n = UInt8(t.dropFirst(5)) { return .indexed(n) }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            return .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
        }
        return nil
    }
}
