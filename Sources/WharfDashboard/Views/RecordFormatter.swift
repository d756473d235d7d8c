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

    /// Pretty-printed JSON lines with a role per line segment, or nil when the bytes are not JSON
    /// (then the caller falls back to text). Re-indents tokens; does not validate deeply.
    public static func prettyJSON(_ bytes: [UInt8]?) -> [[(String, StyleRole)]]? {
        guard let bytes else { return nil }
        let s = Array(String(decoding: bytes, as: UTF8.self))
        guard let first = s.first(where: { !$0.isWhitespace }), first == "{" || first == "[" else { return nil }
        var lines: [[(String, StyleRole)]] = []
        var line: [(String, StyleRole)] = []
        var depth = 0
        var i = 0
        func newline() {
            lines.append(line)
            line = [(String(repeating: "  ", count: max(0, depth)), .base)]
        }
        line = [("", .base)]
        while i < s.count {
            let c = s[i]
            switch c {
            case "\"":
                var j = i + 1
                while j < s.count && s[j] != "\"" { j += s[j] == "\\" ? 2 : 1 }
                guard j < s.count else { return nil }
                let token = String(s[i...j])
                var k = j + 1
                while k < s.count && s[k].isWhitespace { k += 1 }
                let isKey = k < s.count && s[k] == ":"
                line.append((token, isKey ? .jsonKey : .jsonString))
                i = j
            case "{", "[":
                line.append((String(c), .base))
                depth += 1
                newline()
            case "}", "]":
                depth -= 1
                if depth < 0 { return nil }
                newline()
                line.append((String(c), .base))
            case ",":
                line.append((",", .base))
                newline()
            case ":":
                line.append((": ", .base))
            case _ where c.isWhitespace:
                break
            default:
                var j = i
                while j < s.count, !",}] \n\t\r".contains(s[j]) { j += 1 }
                let token = String(s[i..<j])
                guard token == "true" || token == "false" || token == "null" || Double(token) != nil else { return nil }
                line.append((token, .jsonNumber))
                i = j - 1
            }
            i += 1
        }
        if depth != 0 { return nil }
        lines.append(line)
        return lines.filter { !($0.count == 1 && $0[0].0.allSatisfy { $0 == " " }) }
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
