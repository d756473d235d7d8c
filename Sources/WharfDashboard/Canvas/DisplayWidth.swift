/// Terminal display width of Unicode text, computed without the C library.
///
/// Rules (a compact version of Markus Kuhn's `wcwidth`): East Asian Wide and Fullwidth code points
/// (CJK ideographs, Hangul, kana, fullwidth forms, emoji presentation blocks) take 2 columns;
/// nonspacing and enclosing combining marks, zero-width format characters and variation
/// selectors take 0; everything else printable takes 1. Control characters take 0 (callers
/// replace them before drawing). A grapheme cluster takes the widest of its scalars, capped at 2.
public enum DisplayWidth {
    /// Width of one Unicode scalar: 0, 1 or 2.
    @inlinable
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }
        if v < 0xA0 { return 0 }
        if v < 0x300 { return 1 }
        return nonASCII(v, scalar)
    }

    @usableFromInline
    static func nonASCII(_ v: UInt32, _ scalar: Unicode.Scalar) -> Int {
        if isWide(v) { return 2 }
        if (0xFE00...0xFE0F).contains(v) || (0xE0100...0xE01EF).contains(v) { return 0 }
        if v == 0x200B || v == 0x200C || v == 0x200D || v == 0x2060 || v == 0xFEFF { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control: return 0
        default: return 1
        }
    }

    /// East Asian Wide (W) and Fullwidth (F) ranges, plus emoji with default emoji presentation.
    @usableFromInline
    static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1,
             0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA,
             0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C,
             0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C,
             0x2B50, 0x2B55,
             0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x16FE0...0x16FE4, 0x17000...0x18AFF, 0x1B000...0x1B16F,
             0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F1E6...0x1F1FF, 0x1F200...0x1F251,
             0x1F300...0x1F320, 0x1F32D...0x1F335, 0x1F337...0x1F37C, 0x1F37E...0x1F393,
             0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0, 0x1F3F4, 0x1F3F8...0x1F43E,
             0x1F440, 0x1F442...0x1F4FC, 0x1F4FF...0x1F53D, 0x1F54B...0x1F54E, 0x1F550...0x1F567,
             0x1F57A, 0x1F595...0x1F596, 0x1F5A4, 0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC,
             0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC,
             0x1F7E0...0x1F7EB, 0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF,
             0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// Width of a grapheme cluster: the widest scalar, at most 2 (so "e" + U+0301 is 1, "語" is 2).
    @inlinable
    public static func of(_ character: Character) -> Int {
        if let ascii = character.asciiValue { return ascii >= 0x20 && ascii < 0x7F ? 1 : 0 }
        var width = 0
        for scalar in character.unicodeScalars {
            width = max(width, of(scalar))
            if width == 2 { break }
        }
        return width
    }

    /// Total display width of a string.
    public static func of<S: StringProtocol>(_ text: S) -> Int {
        var total = 0
        for ch in text { total += of(ch) }
        return total
    }

    /// The longest prefix of `text` that fits in `width` columns; with `ellipsis`, a truncated
    /// result ends in "…" (one column) so the reader sees that something is missing.
    public static func truncate<S: StringProtocol>(_ text: S, to width: Int, ellipsis: Bool = true) -> String {
        if width <= 0 { return "" }
        let full = of(text)
        if full <= width { return String(text) }
        let budget = ellipsis ? width - 1 : width
        var out = ""
        var used = 0
        for ch in text {
            let w = of(ch)
            if used + w > budget { break }
            out.append(ch)
            used += w
        }
        if ellipsis { out.append("…") }
        return out
    }

    /// `text` truncated or padded with spaces to exactly `width` columns.
    public static func fit<S: StringProtocol>(_ text: S, to width: Int, alignRight: Bool = false) -> String {
        let cut = truncate(text, to: width)
        let pad = max(0, width - of(cut))
        if pad == 0 { return cut }
        let spaces = String(repeating: " ", count: pad)
        return alignRight ? spaces + cut : cut + spaces
    }
}
