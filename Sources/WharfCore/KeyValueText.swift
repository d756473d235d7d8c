/// One `key=value` text, read the same way wherever Wharf takes one: `wharf produce --header`,
/// `wharf queue send --property`, a subscription rule's `--property`, and the dashboard's
/// requeue-by-property dialog.
///
/// The rule: the key is everything before the first `=` and must not be empty; the value is
/// everything after it and may be empty or contain `=` (`a==b` is key `a`, value `=b`). A text
/// without `=`, or with nothing before it (`=v`), is refused: an empty header or property name
/// is a typo, and no filter, rule or dialog could name it afterwards.
public struct KeyValueText: Sendable, Equatable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// nil when `text` breaks the rule. `trimmingWhitespace` first trims spaces, tabs and line
    /// breaks around the key and the value (typed text such as `region = eu`); the key must still
    /// be non-empty after trimming.
    public init?(parsing text: String, trimmingWhitespace: Bool = false) {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        var key = Substring(text[..<equals])
        var value = Substring(text[text.index(after: equals)...])
        if trimmingWhitespace {
            key = Self.trimmed(key)
            value = Self.trimmed(value)
        }
        guard !key.isEmpty else { return nil }
        self.init(key: String(key), value: String(value))
    }

    /// Every text of a repeatable option (`option` is its flag, for the error), in order.
    public static func parseAll(_ texts: [String], option: String) throws(WharfError) -> [KeyValueText] {
        var out: [KeyValueText] = []
        for text in texts {
            guard let pair = KeyValueText(parsing: text) else {
                throw .invalidArgument("\(option) '\(text)' must look like KEY=VALUE, with a non-empty KEY")
            }
            out.append(pair)
        }
        return out
    }

    private static func trimmed(_ s: Substring) -> Substring {
        var s = s
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return s
    }
}
