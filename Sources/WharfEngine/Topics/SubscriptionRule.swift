import WharfCore

/// A rule of a topic subscription (Service Bus `RuleProperties`): a filter choosing which of the
/// topic's messages the subscription gets, and an optional SQL action. A message reaches a
/// subscription once if any of its rules without an action matches, plus once per matching rule
/// with an action. Persisted in the subscription's `rules.json`.
public struct SubscriptionRule: Codable, Equatable, Sendable {
    /// Service Bus names the rule every new subscription gets `$Default` (a true filter).
    public static let defaultName = "$Default"
    public static let maxNameLength = 50

    public var name: String
    public var filter: RuleFilter
    /// A SQL rule action (`SET sys.To = 'x'; REMOVE color`, see `SQLRuleAction`) applied to the
    /// subscription's copy of a message the rule matched.
    public var action: String?

    public init(name: String, filter: RuleFilter, action: String? = nil) {
        self.name = name
        self.filter = filter
        self.action = action
    }

    public static let defaultRule = SubscriptionRule(name: defaultName, filter: .sql("1=1"))

    /// Throws `.invalidArgument` for a bad name or a filter that does not parse.
    public func validate() throws(WharfError) {
        guard !name.isEmpty, name.count <= Self.maxNameLength,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._$".contains($0)) }) else {
            throw .invalidName("rule '\(name)' must have 1-\(Self.maxNameLength) ASCII letters, digits, '-', '.', '_' or '$'")
        }
        _ = try compiled()
    }

    /// The rule ready to evaluate.
    func compiled() throws(WharfError) -> CompiledRule {
        let compiledAction = try action.map { (text) throws(WharfError) in try SQLRuleAction(text) }
        switch filter {
        case .sql(let text): return CompiledRule(rule: self, sql: try SQLFilter(text), action: compiledAction)
        case .correlation(let c):
            try c.validate()
            return CompiledRule(rule: self, sql: nil, action: compiledAction)
        }
    }
}

/// The filter of a rule: a SQL expression (true filter: `1=1`, false filter: `1=0`) or a
/// correlation filter.
public enum RuleFilter: Codable, Equatable, Sendable {
    case sql(String)
    case correlation(CorrelationFilter)
}

/// Equality on system properties and application properties, all of which must hold (Service
/// Bus `CorrelationRuleFilter`). Unset fields are not compared.
public struct CorrelationFilter: Codable, Equatable, Sendable {
    public var correlationId: String?
    public var messageId: String?
    public var to: String?
    public var replyTo: String?
    public var subject: String?
    public var sessionId: String?
    public var replyToSessionId: String?
    public var contentType: String?
    public var properties: [String: String]

    public init(correlationId: String? = nil, messageId: String? = nil, to: String? = nil, replyTo: String? = nil,
                subject: String? = nil, sessionId: String? = nil, replyToSessionId: String? = nil,
                contentType: String? = nil, properties: [String: String] = [:]) {
        self.correlationId = correlationId
        self.messageId = messageId
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.sessionId = sessionId
        self.replyToSessionId = replyToSessionId
        self.contentType = contentType
        self.properties = properties
    }

    public var systemConditions: [(String, String?)] {
        [("correlationid", correlationId), ("messageid", messageId), ("to", to), ("replyto", replyTo),
         ("label", subject), ("sessionid", sessionId), ("replytosessionid", replyToSessionId), ("contenttype", contentType)]
    }

    func validate() throws(WharfError) {
        guard systemConditions.contains(where: { $0.1 != nil }) || !properties.isEmpty else {
            throw .invalidArgument("a correlation filter needs at least one property to match")
        }
    }

    public func matches(_ m: FilterableMessage) -> Bool {
        for (name, wanted) in systemConditions {
            if let wanted, m.system(name) != wanted { return false }
        }
        return properties.allSatisfy { m.property($0.key) == $0.value }
    }
}

/// A rule with its SQL filter parsed (nil for correlation filters).
struct CompiledRule: Sendable {
    var rule: SubscriptionRule
    var sql: SQLFilter?
    var action: SQLRuleAction?

    func matches(_ m: FilterableMessage) -> Bool {
        if let sql { return sql.matches(m) }
        if case .correlation(let c) = rule.filter { return c.matches(m) }
        return false
    }
}
