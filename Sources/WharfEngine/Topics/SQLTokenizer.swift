import WharfCore

/// The tokens of a SQL filter: names, quoted strings (`''` escapes a quote), numbers, operators.
enum SQLToken: Equatable, Sendable {
    case name(String)
    /// `[any text]`: a name that is never a keyword.
    case quotedName(String)
    case string(String)
    case number(Double)
    case symbol(String)
}

enum SQLTokenizer {
    static func tokens(_ text: String) throws(WharfError) -> [SQLToken] {
        let chars = Array(text)
        var out: [SQLToken] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace {
                i += 1
            } else if c == "'" {
                var s = ""
                i += 1
                while true {
                    guard i < chars.count else { throw .invalidArgument("SQL filter: unterminated string literal") }
                    if chars[i] == "'" {
                        if i + 1 < chars.count, chars[i + 1] == "'" { s.append("'"); i += 2; continue }
                        i += 1
                        break
                    }
                    s.append(chars[i])
                    i += 1
                }
                out.append(.string(s))
            } else if c == "[" {
                guard let close = chars[i...].firstIndex(of: "]") else { throw .invalidArgument("SQL filter: unterminated [name]") }
                let name = String(chars[(i + 1)..<close])
                guard !name.isEmpty else { throw .invalidArgument("SQL filter: empty [name]") }
                out.append(.quotedName(name))
                i = close + 1
            } else if c.isASCII, c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber) {
                var j = i
                while j < chars.count, chars[j].isASCII, chars[j].isNumber || chars[j] == "." { j += 1 }
                if j < chars.count, chars[j] == "e" || chars[j] == "E" {
                    var k = j + 1
                    if k < chars.count, chars[k] == "+" || chars[k] == "-" { k += 1 }
                    if k < chars.count, chars[k].isASCII, chars[k].isNumber {
                        j = k
                        while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
                    }
                }
                let literal = String(chars[i..<j])
                guard let n = Double(literal), n.isFinite else { throw .invalidArgument("SQL filter: bad number '\(literal)'") }
                out.append(.number(n))
                i = j
            } else if c.isLetter || c == "_" || c == "$" {
                var j = i
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "$" { j += 1 }
                out.append(.name(String(chars[i..<j])))
                i = j
            } else {
                let two = i + 1 < chars.count ? String([c, chars[i + 1]]) : ""
                if ["<>", "!=", "<=", ">="].contains(two) {
                    out.append(.symbol(two == "!=" ? "<>" : two))
                    i += 2
                } else if "=<>()+-*/%,.;".contains(c) {
                    out.append(.symbol(String(c)))
                    i += 1
                } else {
                    throw .invalidArgument("SQL filter: unexpected character '\(c)'")
                }
            }
        }
        return out
    }
}
