/// A Java `.properties` file as Kafka's tools and librdkafka read client settings from one
/// (`java.util.Properties.load`): `key=value`, `key: value` or `key value`; lines starting with
/// `#` or `!` are comments; a line ending in an odd number of backslashes continues on the next
/// (whose leading blanks are dropped); `\t \n \r \f \uXXXX` are escapes and any other escaped
/// character stands for itself. A later entry of the same key replaces an earlier one.
public struct ClientProperties: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String
        /// The line the entry starts on, for messages.
        public var line: Int
    }

    public private(set) var entries: [Entry] = []

    public init(parsing text: String) throws(ClientConfigurationError) {
        var lines = Self.naturalLines(text).enumerated().makeIterator()
        while let (index, first) = lines.next() {
            var line = Substring(first).drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            var logical = ""
            while Self.endsWithContinuation(line) {
                logical += line.dropLast()
                guard let (_, next) = lines.next() else { line = ""; break }
                line = Substring(next).drop { $0 == " " || $0 == "\t" || $0 == "\u{0C}" }
            }
            logical += line
            let entry = try Self.entry(logical, line: index + 1)
            entries.removeAll { $0.key == entry.key }
            entries.append(entry)
        }
    }

    public subscript(key: String) -> String? { entries.last { $0.key == key }?.value }

    /// Lines split at `\n`, `\r\n` or `\r`.
    private static func naturalLines(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    private static func endsWithContinuation(_ line: Substring) -> Bool {
        line.reversed().prefix { $0 == "\\" }.count % 2 == 1
    }

    /// Splits a logical line at the first unescaped `=`, `:` or blank, then unescapes both sides.
    private static func entry(_ line: String, line number: Int) throws(ClientConfigurationError) -> Entry {
        let chars = Array(line)
        var i = 0
        while i < chars.count, !" \t\u{0C}=:".contains(chars[i]) {
            i += chars[i] == "\\" ? 2 : 1
        }
        let keyEnd = min(i, chars.count)
        while i < chars.count, " \t\u{0C}".contains(chars[i]) { i += 1 }
        if i < chars.count, chars[i] == "=" || chars[i] == ":" { i += 1 }
        while i < chars.count, " \t\u{0C}".contains(chars[i]) { i += 1 }
        let key = try unescape(chars[..<keyEnd], line: number)
        let value = try unescape(chars[min(i, chars.count)...], line: number)
        return Entry(key: key, value: value, line: number)
    }

    private static func unescape(_ chars: ArraySlice<Character>, line: Int) throws(ClientConfigurationError) -> String {
        var out = ""
        var i = chars.startIndex
        while i < chars.endIndex {
            let c = chars[i]
            i += 1
            guard c == "\\" else { out.append(c); continue }
            guard i < chars.endIndex else { break }
            let escaped = chars[i]
            i += 1
            switch escaped {
            case "t": out.append("\t")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "f": out.append("\u{0C}")
            case "u":
                let hex = String(chars[i..<min(i + 4, chars.endIndex)])
                guard hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else {
                    throw ClientConfigurationError("line \(line): malformed \\uXXXX escape")
                }
                out.unicodeScalars.append(scalar)
                i += 4
            default: out.append(escaped)
            }
        }
        return out
    }
}
