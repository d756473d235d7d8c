/// A parser for the subset of TOML that theme files use: `# comments`, `[table]` and
/// `[a.b]` headers, `key = value` with bare or quoted keys, and values that are basic strings
/// ("..." with \\ \" \n \t \u escapes), literal strings ('...'), integers, booleans and
/// inline tables `{ k = v, ... }`. Arrays, dates, floats and multi-line strings are rejected
/// with an error naming the file and line.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case boolean(Bool)
    case table(TOMLTable)
}

/// A table whose entries remember the line they were defined on, for error messages.
public struct TOMLTable: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var value: TOMLValue
        public var line: Int
    }

    public private(set) var entries: [String: Entry] = [:]
    /// Keys in definition order (maps are unordered; error messages and tests want order).
    public private(set) var keys: [String] = []

    public init() {}

    public subscript(key: String) -> TOMLValue? { entries[key]?.value }
    public func line(of key: String) -> Int? { entries[key]?.line }

    mutating func set(_ key: String, _ value: TOMLValue, line: Int) {
        if entries[key] == nil { keys.append(key) }
        entries[key] = Entry(value: value, line: line)
    }
}

public struct TOMLError: Error, Equatable, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
    public var description: String { "\(file):\(line): \(message)" }
}

public struct TOMLParser {
    private let file: String
    private var chars: [Character] = []
    private var pos = 0
    private var line = 1

    public static func parse(_ text: String, file: String = "<string>") throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(file: file)
        parser.chars = Array(text)
        return try parser.document()
    }

    private init(file: String) { self.file = file }

    private func fail(_ message: String) -> TOMLError { TOMLError(file: file, line: line, message: message) }
    private var atEnd: Bool { pos >= chars.count }
    private var peek: Character? { atEnd ? nil : chars[pos] }

    private mutating func skipSpaces() {
        while let c = peek, c == " " || c == "\t" { pos += 1 }
    }

    /// Skips spaces and a trailing comment, then requires end of line or input.
    private mutating func endOfLine() throws(TOMLError) {
        skipSpaces()
        if peek == "#" { while let c = peek, c != "\n" { pos += 1 } }
        if peek == "\r" { pos += 1 }
        if let c = peek {
            guard c == "\n" else { throw fail("unexpected '\(c)' after value") }
            pos += 1
            line += 1
        }
    }

    private mutating func document() throws(TOMLError) -> TOMLTable {
        var root = TOMLTable()
        var path: [String] = []
        var definedTables = Set<String>()
        while !atEnd {
            skipSpaces()
            guard let c = peek else { break }
            if c == "\n" { pos += 1; line += 1; continue }
            if c == "\r" || c == "#" { try endOfLine(); continue }
            if c == "[" {
                pos += 1
                if peek == "[" { throw fail("arrays of tables are not supported") }
                skipSpaces()
                path = try dottedKey()
                skipSpaces()
                guard peek == "]" else { throw fail("expected ']' to close the table header") }
                pos += 1
                let name = path.joined(separator: ".")
                guard definedTables.insert(name).inserted else { throw fail("table [\(name)] defined twice") }
                try ensureTable(&root, path: path, line: line)
                try endOfLine()
                continue
            }
            let keyLine = line
            let key = try dottedKey()
            skipSpaces()
            guard peek == "=" else { throw fail("expected '=' after key '\(key.joined(separator: "."))'") }
            pos += 1
            skipSpaces()
            let value = try value()
            try insert(&root, path: path + key, value: value, line: keyLine)
            try endOfLine()
        }
        return root
    }

    private mutating func dottedKey() throws(TOMLError) -> [String] {
        var parts = [try simpleKey()]
        skipSpaces()
        while peek == "." {
            pos += 1
            skipSpaces()
            parts.append(try simpleKey())
            skipSpaces()
        }
        return parts
    }

    private mutating func simpleKey() throws(TOMLError) -> String {
        if peek == "\"" { return try basicString() }
        if peek == "'" { return try literalString() }
        var key = ""
        while let c = peek, c.isLetter || c.isNumber || c == "_" || c == "-" {
            key.append(c)
            pos += 1
        }
        guard !key.isEmpty else { throw fail(peek.map { "unexpected '\($0)', expected a key" } ?? "expected a key") }
        return key
    }

    private mutating func value() throws(TOMLError) -> TOMLValue {
        guard let c = peek else { throw fail("expected a value") }
        switch c {
        case "\"":
            if chars.count > pos + 2 && chars[pos + 1] == "\"" && chars[pos + 2] == "\"" {
                throw fail("multi-line strings are not supported")
            }
            return .string(try basicString())
        case "'": return .string(try literalString())
        case "{": return .table(try inlineTable())
        case "[": throw fail("arrays are not supported")
        default:
            var word = ""
            while let d = peek, !(d == " " || d == "\t" || d == "\n" || d == "\r" || d == "," || d == "}" || d == "#") {
                word.append(d)
                pos += 1
            }
            if word == "true" { return .boolean(true) }
            if word == "false" { return .boolean(false) }
            let digits = word.replacingUnderscores()
            if let n = Int64(digits) { return .integer(n) }
            if digits.hasPrefix("0x"), let n = Int64(digits.dropFirst(2), radix: 16) { return .integer(n) }
            throw fail(word.isEmpty ? "expected a value" : "unsupported value '\(word)' (strings need quotes)")
        }
    }

    private mutating func basicString() throws(TOMLError) -> String {
        pos += 1   // opening quote
        var out = ""
        while true {
            guard let c = peek, c != "\n" else { throw fail("unterminated string") }
            pos += 1
            if c == "\"" { return out }
            if c != "\\" { out.append(c); continue }
            guard let e = peek else { throw fail("unterminated string") }
            pos += 1
            switch e {
            case "\\": out.append("\\")
            case "\"": out.append("\"")
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "u", "U":
                let count = e == "u" ? 4 : 8
                guard pos + count <= chars.count,
                      let v = UInt32(String(chars[pos..<(pos + count)]), radix: 16),
                      let scalar = Unicode.Scalar(v) else { throw fail("bad unicode escape") }
                out.unicodeScalars.append(scalar)
                pos += count
            default: throw fail("unknown escape '\\\(e)'")
            }
        }
    }

    private mutating func literalString() throws(TOMLError) -> String {
        pos += 1
        var out = ""
        while true {
            guard let c = peek, c != "\n" else { throw fail("unterminated string") }
            pos += 1
            if c == "'" { return out }
            out.append(c)
        }
    }

    private mutating func inlineTable() throws(TOMLError) -> TOMLTable {
        pos += 1
        var table = TOMLTable()
        skipSpaces()
        if peek == "}" { pos += 1; return table }
        while true {
            skipSpaces()
            let keyLine = line
            let key = try dottedKey()
            skipSpaces()
            guard peek == "=" else { throw fail("expected '=' in inline table") }
            pos += 1
            skipSpaces()
            let v = try value()
            try insert(&table, path: key, value: v, line: keyLine)
            skipSpaces()
            if peek == "," { pos += 1; continue }
            if peek == "}" { pos += 1; return table }
            throw fail("expected ',' or '}' in inline table")
        }
    }

    private func ensureTable(_ table: inout TOMLTable, path: [String], line: Int) throws(TOMLError) {
        guard let head = path.first else { return }
        var child: TOMLTable
        switch table[head] {
        case nil: child = TOMLTable()
        case .table(let t)?: child = t
        default: throw fail("'\(head)' is not a table")
        }
        try ensureTable(&child, path: Array(path.dropFirst()), line: line)
        table.set(head, .table(child), line: table.line(of: head) ?? line)
    }

    private func insert(_ table: inout TOMLTable, path: [String], value: TOMLValue, line: Int) throws(TOMLError) {
        guard let head = path.first else { return }
        if path.count == 1 {
            guard table[head] == nil else { throw fail("key '\(head)' defined twice") }
            table.set(head, value, line: line)
            return
        }
        var child: TOMLTable
        switch table[head] {
        case nil: child = TOMLTable()
        case .table(let t)?: child = t
        default: throw fail("'\(head)' is not a table")
        }
        try insert(&child, path: Array(path.dropFirst()), value: value, line: line)
        table.set(head, .table(child), line: table.line(of: head) ?? line)
    }
}

private extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
