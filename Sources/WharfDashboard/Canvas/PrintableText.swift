/// The one rule for putting text from outside (group ids, client ids, record keys, dead-letter
/// reasons: anything a client chose) on a terminal, used by the dashboard's canvas and by the
/// CLI's tables. A character with no display width never reaches the terminal: control
/// characters (C0 such as ESC, DEL, C1 including the 8-bit CSI U+009B) become "?", and other
/// zero-width characters on their own (bidi overrides such as U+202E, lone combining marks)
/// become a space. So text cannot move the cursor, clear the screen, set the title or the
/// clipboard, or reorder what follows it.
public enum PrintableText {
    /// What to draw for `ch` and the columns it takes (1 or 2).
    @inlinable
    public static func glyph(for ch: Character) -> (glyph: Character, width: Int) {
        let w = DisplayWidth.of(ch)
        if w > 0 { return (ch, w) }
        let isControl = ch.isASCII || ch.unicodeScalars.first.map({ $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) == true
        return (isControl ? "?" : " ", 1)
    }

    /// `text` with every character replaced as `glyph(for:)` does; unchanged (no copy) when
    /// there is nothing to replace.
    public static func sanitized(_ text: String) -> String {
        guard text.contains(where: { DisplayWidth.of($0) == 0 }) else { return text }
        return String(text.map { glyph(for: $0).glyph })
    }
}
