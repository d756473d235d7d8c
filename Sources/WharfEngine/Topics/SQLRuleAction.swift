import WharfCore

/// A SQL rule action (Service Bus `SqlRuleAction`): what a subscription's rule does to the copy
/// of a message it matched, before the copy is stored.
///
///     <statements> ::= <action> [ { , | ; } <action> ... ] [;]
///     <action>     ::= SET <property> = <expression> | REMOVE <property>
///
/// `<property>` and `<expression>` are those of `SQLFilter`; user properties are set and removed,
/// and the system properties a sender sets can be set (`sys.Label`/`sys.Subject`, `sys.To`,
/// `sys.ReplyTo`, `sys.CorrelationId`, `sys.ContentType`, `sys.SessionId`, `sys.ReplyToSessionId`).
/// Statements apply in order, each seeing what the previous ones did. A number result is stored
/// as a `long` when it is integral and as a `double` otherwise; a NULL result sets a null property.
public struct SQLRuleAction: Equatable, Sendable {
    enum Statement: Equatable, Sendable {
        case set(SQLProperty, SQLNode)
        case remove(SQLProperty)
    }

    static let settableSystem: Set<String> = ["label", "subject", "to", "replyto", "correlationid", "contenttype", "sessionid", "replytosessionid"]

    public let text: String
    let statements: [Statement]

    public init(_ text: String) throws(WharfError) {
        guard text.count <= SQLFilter.maxLength else {
            throw .invalidArgument("a rule action has at most \(SQLFilter.maxLength) characters, got \(text.count)")
        }
        var parser = SQLParser(tokens: try SQLTokenizer.tokens(text))
        var statements: [Statement] = []
        repeat {
            guard parser.peek != nil else { break }
            let statement: Statement
            if parser.takeKeyword("SET") {
                let target = try Self.property(&parser)
                try parser.expect("=")
                statement = .set(target, try parser.parseSum())
            } else if parser.takeKeyword("REMOVE") {
                let target = try Self.property(&parser)
                guard !target.isSystem else { throw .invalidArgument("SQL action: system properties cannot be removed (sys.\(target.name))") }
                statement = .remove(target)
            } else {
                throw .invalidArgument("SQL action: expected SET or REMOVE" + (parser.peek.map { " before \(parser.describe($0))" } ?? ""))
            }
            statements.append(statement)
        } while parser.takeSymbol(";") || parser.takeSymbol(",")
        guard parser.position == parser.tokens.count else {
            throw .invalidArgument("SQL action: unexpected \(parser.describe(parser.tokens[parser.position])) at token \(parser.position + 1)")
        }
        guard !statements.isEmpty else { throw .invalidArgument("SQL action: no statement") }
        self.text = text
        self.statements = statements
    }

    private static func property(_ parser: inout SQLParser) throws(WharfError) -> SQLProperty {
        guard case .property(let p) = try parser.parseProperty(first: parser.take()) else {
            throw .invalidArgument("SQL action: expected a property")
        }
        if p.isSystem, !settableSystem.contains(p.name.lowercased()) {
            throw .invalidArgument("SQL action: sys.\(p.name) cannot be set")
        }
        return p
    }

    /// The message with the statements applied.
    public func applied(to message: OutgoingMessage) -> OutgoingMessage {
        var m = message
        for statement in statements {
            switch statement {
            case .remove(let p):
                let key = FilterableMessage(m).propertyName(p.name) ?? p.name
                m.applicationProperties[key] = nil
                m.applicationPropertyTypes[key] = nil
            case .set(let p, let expression):
                let value = expression.evaluate(FilterableMessage(m))
                if p.isSystem { Self.setSystem(p.name, value, on: &m) } else { Self.setUser(p.name, value, on: &m) }
            }
        }
        return m
    }

    private static func setUser(_ name: String, _ value: SQLValue, on m: inout OutgoingMessage) {
        let key = FilterableMessage(m).propertyName(name) ?? name
        let (text, type): (String, ApplicationPropertyType?) = switch value {
        case .null: ("", .null)
        case .bool(let b): (b ? "true" : "false", .bool)
        case .string(let s): (s, nil)
        case .number(let n):
            if n == n.rounded(), let exact = Int64(exactly: n) { (String(exact), .long) } else { (String(n), .double) }
        }
        m.applicationProperties[key] = text
        m.applicationPropertyTypes[key] = type
    }

    private static func setSystem(_ name: String, _ value: SQLValue, on m: inout OutgoingMessage) {
        let text: String? = switch value {
        case .null: nil
        case .bool(let b): b ? "true" : "false"
        case .string(let s): s
        case .number(let n): Int64(exactly: n).map(String.init) ?? String(n)
        }
        switch name.lowercased() {
        case "label", "subject": m.subject = text
        case "to": m.to = text
        case "replyto": m.replyTo = text
        case "correlationid": m.correlationId = text
        case "contenttype": m.contentType = text
        case "sessionid": m.sessionId = text
        case "replytosessionid": m.replyToSessionId = text
        default: break
        }
    }
}
