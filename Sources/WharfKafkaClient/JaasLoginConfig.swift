/// Kafka's `sasl.jaas.config` value: one login module, its control flag and `key=value`
/// options, ended by `;`, tokenized as Kafka's `JaasConfig` does with Java's `StreamTokenizer`:
/// values are words (letters, digits, `_ - $ .`) or quoted with `"` or `'`, inside which `\`
/// escapes the next character (`\n \t \r \b \f \a \v` and octal `\ooo` as in Java); `//` and
/// `/* */` are comments.
/// `org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cr\"t";`
public struct JaasLoginConfig: Sendable, Equatable {
    public var loginModule: String
    public var controlFlag: String
    public var options: [String: String]

    private enum Token: Equatable {
        case word(String)
        case quoted(String)
        case symbol(Character)
    }

    public init(parsing text: String) throws(ClientConfigurationError) {
        let tokens = try Self.tokens(text)
        var i = 0
        func next() -> Token? {
            defer { i += 1 }
            return i < tokens.count ? tokens[i] : nil
        }
        guard case .word(let module)? = next() else { throw ClientConfigurationError("it must start with a login module class name") }
        guard case .word(let flag)? = next(), ["required", "requisite", "sufficient", "optional"].contains(flag.lowercased()) else {
            throw ClientConfigurationError("the login module \(module) needs a control flag (required)")
        }
        var options: [String: String] = [:]
        while true {
            let token = next()
            if token == .symbol(";") { break }
            guard let token else { throw ClientConfigurationError("the login module entry is not terminated by ';'") }
            guard case .word(let key) = token else { throw ClientConfigurationError("expected an option name, found \(Self.describe(token))") }
            guard next() == .symbol("=") else { throw ClientConfigurationError("value not specified for key '\(key)'") }
            switch next() {
            case .word(let value)?, .quoted(let value)?: options[key] = value
            default: throw ClientConfigurationError("value not specified for key '\(key)' (quote values with characters other than letters and digits)")
            }
        }
        guard i >= tokens.count else {
            throw ClientConfigurationError("it holds more than one login module; Kafka clients take exactly one")
        }
        loginModule = module
        controlFlag = flag
        self.options = options
    }

    private static func describe(_ token: Token) -> String {
        switch token {
        case .word(let w): "'\(w)'"
        case .quoted: "a quoted string"
        case .symbol(let c): "'\(c)'"
        }
    }

    private static func isWordStart(_ c: Character) -> Bool {
        c.isLetter || c == "_" || c == "$" || c == "-" || (c.unicodeScalars.first.map { $0.value >= 0xA0 } ?? false)
    }

    private static func isWordPart(_ c: Character) -> Bool { isWordStart(c) || c.isASCII && c.isNumber || c == "." }

    private static func tokens(_ text: String) throws(ClientConfigurationError) -> [Token] {
        let chars = Array(text)
        var out: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.unicodeScalars.allSatisfy({ $0.value <= 0x20 }) { i += 1; continue }
            if c == "/", i + 1 < chars.count, chars[i + 1] == "/" {
                while i < chars.count, chars[i] != "\n" { i += 1 }
                continue
            }
            if c == "/", i + 1 < chars.count, chars[i + 1] == "*" {
                i += 2
                while i + 1 < chars.count, !(chars[i] == "*" && chars[i + 1] == "/") { i += 1 }
                i += 2
                continue
            }
            if c == "\"" || c == "'" {
                let (value, end) = try quoted(chars, from: i + 1, quote: c)
                out.append(.quoted(value))
                i = end
                continue
            }
            if isWordStart(c) {
                var j = i
                while j < chars.count, isWordPart(chars[j]) { j += 1 }
                out.append(.word(String(chars[i..<j])))
                i = j
                continue
            }
            if c == "=" || c == ";" {
                out.append(.symbol(c))
                i += 1
                continue
            }
            throw ClientConfigurationError("unexpected '\(c)' (quote values that contain it)")
        }
        return out
    }

    /// A quoted string from after its opening quote; returns the value and the index after the closing quote.
    private static func quoted(_ chars: [Character], from start: Int, quote: Character) throws(ClientConfigurationError) -> (String, Int) {
        var out = ""
        var i = start
        while i < chars.count {
            let c = chars[i]
            i += 1
            if c == quote { return (out, i) }
            if c == "\n" { break }
            guard c == "\\", i < chars.count else { out.append(c); continue }
            let e = chars[i]
            i += 1
            switch e {
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "0"..."7":
                // Java: up to three octal digits, three only when the first is 0-3.
                var value = Int(String(e))!
                let maxDigits = e <= "3" ? 3 : 2
                var digits = 1
                while digits < maxDigits, i < chars.count, ("0"..."7").contains(chars[i]) {
                    value = value * 8 + Int(String(chars[i]))!
                    i += 1
                    digits += 1
                }
                out.unicodeScalars.append(Unicode.Scalar(UInt8(value)))
            default: out.append(e)
            }
        }
        throw ClientConfigurationError("a quoted value is not closed by \(quote)")
    }
}
