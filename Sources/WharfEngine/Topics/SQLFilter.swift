import WharfCore

/// A Service Bus SQL filter (the SQL-92 subset of `SqlFilter.SqlExpression`), parsed once when a
/// rule is added or loaded and evaluated against every message sent to the topic.
///
/// Grammar (keywords case-insensitive):
/// ```
/// or      := and (OR and)*
/// and     := not (AND not)*
/// not     := NOT not | compare
/// compare := sum [ (= | <> | != | < | <= | > | >=) sum
///                | IS [NOT] NULL | [NOT] IN '(' sum (, sum)* ')'
///                | [NOT] LIKE 'pattern' [ESCAPE 'c'] ]
/// sum     := product ((+ | -) product)*
/// product := unary ((* | / | %) unary)*
/// unary   := (+ | -) unary | primary
/// primary := number | 'string' | TRUE | FALSE | NULL | EXISTS '(' property ')' | '(' or ')'
///          | [sys. | user.] name | [bracketed name]
/// ```
/// Unqualified names are user (application) properties. Hostile text never traps: at most
/// `maxLength` characters and `maxDepth` nested groups, and every failure is a `.invalidArgument`.
public struct SQLFilter: Equatable, Sendable {
    public static let maxLength = 1024
    public static let maxDepth = 32

    public let text: String
    let root: SQLNode

    public init(_ text: String) throws(WharfError) {
        guard text.count <= Self.maxLength else {
            throw .invalidArgument("a SQL filter has at most \(Self.maxLength) characters, got \(text.count)")
        }
        var parser = SQLParser(tokens: try SQLTokenizer.tokens(text))
        self.text = text
        self.root = try parser.parseWhole()
    }

    /// True when the filter holds for `message` (unknown, from NULL operands, is false).
    public func matches(_ message: FilterableMessage) -> Bool {
        root.evaluate(message) == .bool(true)
    }
}

/// A property reference: `sys.Label` or `user.color` (or just `color`).
struct SQLProperty: Equatable, Sendable {
    var isSystem: Bool
    var name: String
}

/// A value during evaluation. Numbers are doubles (SQL filters compare and add numbers; the
/// engine keeps application properties as text, so a property that reads as a number is one).
enum SQLValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
}

indirect enum SQLNode: Equatable, Sendable {
    enum Comparison: String, Sendable { case eq = "=", ne = "<>", lt = "<", le = "<=", gt = ">", ge = ">=" }
    enum Arithmetic: Character, Sendable { case add = "+", sub = "-", mul = "*", div = "/", mod = "%" }

    case literal(SQLValue)
    case property(SQLProperty)
    case negate(SQLNode)
    case arithmetic(Arithmetic, SQLNode, SQLNode)
    case compare(Comparison, SQLNode, SQLNode)
    case isNull(SQLNode, negated: Bool)
    case inList(SQLNode, [SQLNode], negated: Bool)
    case like(SQLNode, pattern: [Character], escape: Character?, negated: Bool)
    case exists(SQLProperty)
    case not(SQLNode)
    case and(SQLNode, SQLNode)
    case or(SQLNode, SQLNode)
}
