import Synchronization

/// Turns record bytes into display lines: text, pretty JSON, or a hex dump.
public enum RecordFormatter {
    /// UTF-8 text with control characters shown as "·"; invalid bytes as U+FFFD; nil as "null".
    public static func text(_ bytes: [UInt8]?) -> String {
        guard let bytes else { return "null" }
        let s = String(decoding: bytes, as: UTF8.self)
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            if let a = ch.asciiValue, a < 0x20 || a == 0x7F { out.append("·") } else { out.append(ch) }
        }
        return out
    }

    /// One display line of pretty JSON: segments of text, each with its role.
    public typealias JSONLine = [(String, StyleRole)]

    /// Indentation stops growing at this depth, so a value like `[[[[…]]]]` costs O(n), not
    /// O(depth²): each line shares one of these strings instead of building its own.
    static let maxIndentDepth = 32
    private static let indents = (0...maxIndentDepth).map { String(repeating: "  ", count: $0) }

    /// Pretty-printed JSON lines with a role per line segment, or nil when the bytes are not JSON
    /// (then the caller falls back to text). Re-indents tokens; does not validate deeply.
    ///
    /// Bounded for hostile values: one pass over the bytes (structural characters are ASCII, so
    /// UTF-8 is scanned as bytes), indentation capped at `maxIndentDepth`, and at most
    /// `maxLines` lines (the rest is not formatted or checked: a screen shows a few dozen).
    /// The last result is cached, so the selected record is formatted once, not every frame.
    public static func prettyJSON(_ bytes: [UInt8]?, maxLines: Int = 10_000) -> [JSONLine]? {
        guard let bytes else { return nil }
        return prettyCache.withLock { cache -> [JSONLine]? in
            if let cache, cache.maxLines == maxLines, cache.bytes == bytes { return cache.lines }
            let lines = formatJSON(bytes, maxLines: maxLines)
            cache = PrettyCacheEntry(bytes: bytes, maxLines: maxLines, lines: lines)
            return lines
        }
    }

    private struct PrettyCacheEntry: Sendable {
        var bytes: [UInt8]
        var maxLines: Int
        var lines: [JSONLine]?
    }

    private static let prettyCache = Mutex<PrettyCacheEntry?>(nil)

    static func formatJSON(_ s: [UInt8], maxLines: Int) -> [JSONLine]? {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }
        guard let first = s.first(where: { !isSpace($0) }), first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return nil }
        var lines: [JSONLine] = []
        var line: JSONLine = [("", .base)]
        var depth = 0
        var i = 0
        func newline() {
            if !(line.count == 1 && line[0].0.allSatisfy { $0 == " " }) { lines.append(line) }
            line = [(indents[min(max(0, depth), maxIndentDepth)], .base)]
        }
        while i < s.count, lines.count < maxLines {
            let c = s[i]
            switch c {
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < s.count && s[j] != UInt8(ascii: "\"") { j += s[j] == UInt8(ascii: "\\") ? 2 : 1 }
                guard j < s.count else { return nil }
                let token = String(decoding: s[i...j], as: UTF8.self)
                var k = j + 1
                while k < s.count && isSpace(s[k]) { k += 1 }
                let isKey = k < s.count && s[k] == UInt8(ascii: ":")
                line.append((token, isKey ? .jsonKey : .jsonString))
                i = j
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                line.append((String(UnicodeScalar(c)), .base))
                depth += 1
                newline()
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth < 0 { return nil }
                newline()
                line.append((String(UnicodeScalar(c)), .base))
            case UInt8(ascii: ","):
                line.append((",", .base))
                newline()
            case UInt8(ascii: ":"):
                line.append((": ", .base))
            case _ where isSpace(c):
                break
            default:
                var j = i
                while j < s.count, !isSpace(s[j]), s[j] != UInt8(ascii: ","), s[j] != UInt8(ascii: "}"), s[j] != UInt8(ascii: "]") { j += 1 }
                let token = String(decoding: s[i..<j], as: UTF8.self)
                guard token == "true" || token == "false" || token == "null" || Double(token) != nil else { return nil }
                line.append((token, .jsonNumber))
                i = j - 1
            }
            i += 1
        }
        if lines.count < maxLines {
            if depth != 0 { return nil }
            newline()
        }
        return lines
    }

    /// Hex dump lines: offset, 8 or 16 bytes in hex, and the printable ASCII.
    public static func hex(_ bytes: [UInt8]?, width: Int) -> [(String, String, String)] {
        guard let bytes, !bytes.isEmpty else { return [] }
        let perLine = width >= 76 ? 16 : 8
        let digits = Array("0123456789abcdef")
        var out: [(String, String, String)] = []
        var offset = 0
        while offset < bytes.count {
            let chunk = bytes[offset..<min(bytes.count, offset + perLine)]
            var hexPart = ""
            var ascii = ""
            for b in chunk {
                hexPart.append(digits[Int(b >> 4)])
                hexPart.append(digits[Int(b & 0xF)])
                hexPart.append(" ")
                ascii.append(b >= 0x20 && b < 0x7F ? Character(Unicode.Scalar(b)) : ".")
            }
            hexPart += String(repeating: "   ", count: perLine - chunk.count)
            let off = String(offset, radix: 16)
            out.append((String(repeating: "0", count: max(0, 6 - off.count)) + off, hexPart, ascii))
            offset += perLine
        }
        return out
    }
}
