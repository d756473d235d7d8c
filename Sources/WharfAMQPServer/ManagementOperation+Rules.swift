import WharfAMQP
import WharfCore
import WharfEngine

/// Rule management on a subscription's `$management` node, as the .NET `ServiceBusRuleManager`
/// does it (reference §5.2; Python's SDK has none): `com.microsoft:add-rule`, `remove-rule` and
/// `enumerate-rules`. Requests carry maps (`rule-description` with a `sql-filter` or
/// `correlation-filter` map and a `sql-rule-action` map or null); `enumerate-rules` answers with
/// the described rule-description lists .NET decodes (codes 0x0000013700000004 to ...09).
extension ManagementOperation {
    static let ruleOperations: Set<String> = ["com.microsoft:add-rule", "com.microsoft:remove-rule", "com.microsoft:enumerate-rules"]
    static let entityAlreadyExists = "com.microsoft:entity-already-exists"
    /// The compatibility level Service Bus reports for SQL filters and actions.
    static let sqlCompatibilityLevel: Int32 = 20

    enum RuleDescriptor {
        static let rule: UInt64 = 0x0000_0137_0000_0004
        static let emptyAction: UInt64 = 0x0000_0137_0000_0005
        static let sqlFilter: UInt64 = 0x0000_0137_0000_0006
        static let sqlAction: UInt64 = 0x0000_0137_0000_0006
        static let trueFilter: UInt64 = 0x0000_0137_0000_0007
        static let falseFilter: UInt64 = 0x0000_0137_0000_0008
        static let correlationFilter: UInt64 = 0x0000_0137_0000_0009
    }

    func performRuleOperation() throws -> (Int32, [(String, AMQPValue)]) {
        guard let (topic, subscription) = SubscriptionNames.parse(entity) else {
            throw Failure(status: 400, condition: AMQPError.argumentError,
                          description: "rules belong to subscriptions: '\(entity)' is not one")
        }
        let existing = try queues.listRules(topic: topic, subscription: subscription)
        switch name {
        case "com.microsoft:add-rule":
            let rule = try Self.rule(from: body)
            guard !existing.contains(where: { $0.name == rule.name }) else {
                throw Failure(status: 409, condition: Self.entityAlreadyExists,
                              description: "The messaging entity '\(entity)/Rules/\(rule.name)' already exists.")
            }
            try queues.addRule(topic: topic, subscription: subscription, rule, actor: actor)
            return (200, [])
        case "com.microsoft:remove-rule":
            let ruleName = body[key: "rule-name"]?.text ?? ""
            guard existing.contains(where: { $0.name == ruleName }) else {
                throw Failure(status: 404, condition: AMQPError.notFound,
                              description: "The messaging entity '\(entity)/Rules/\(ruleName)' could not be found.")
            }
            try queues.removeRule(topic: topic, subscription: subscription, name: ruleName, actor: actor)
            return (200, [])
        default:
            let skip = max(0, Int(clamping: body[key: "skip"]?.integer ?? 0))
            let top = max(0, Int(clamping: body[key: "top"]?.integer ?? Int64(Int32.max)))
            let page = existing.dropFirst(skip).prefix(top)
            if page.isEmpty { return (204, []) }
            return (200, [("rules", .list(page.map { .stringMap([("rule-description", Self.described($0))]) }))])
        }
    }

    /// A rule from an add-rule request (`rule-name` and `rule-description`).
    static func rule(from body: AMQPValue) throws -> SubscriptionRule {
        let description = body[key: "rule-description"] ?? .null
        guard let name = body[key: "rule-name"]?.text ?? description[key: "rule-name"]?.text else {
            throw Failure(status: 400, condition: AMQPError.argumentError, description: "add-rule needs a rule-name")
        }
        let filter: RuleFilter
        if let sql = description[key: "sql-filter"], !sql.isNull {
            guard let expression = sql[key: "expression"]?.text else {
                throw Failure(status: 400, condition: AMQPError.argumentError, description: "sql-filter needs an expression")
            }
            filter = .sql(expression)
        } else if let c = description[key: "correlation-filter"], !c.isNull {
            var properties: [String: String] = [:]
            for pair in c[key: "properties"]?.mapValue ?? [] {
                guard let key = pair.key.text, let value = ServiceBusMessageMapping.stored(pair.value) else { continue }
                properties[key] = value.text
            }
            filter = .correlation(CorrelationFilter(
                correlationId: c[key: "correlation-id"]?.text, messageId: c[key: "message-id"]?.text, to: c[key: "to"]?.text,
                replyTo: c[key: "reply-to"]?.text, subject: c[key: "label"]?.text, sessionId: c[key: "session-id"]?.text,
                replyToSessionId: c[key: "reply-to-session-id"]?.text, contentType: c[key: "content-type"]?.text, properties: properties))
        } else {
            throw Failure(status: 400, condition: AMQPError.argumentError,
                          description: "rule-description needs a sql-filter or a correlation-filter")
        }
        let action = description[key: "sql-rule-action"].flatMap { $0.isNull ? nil : $0[key: "expression"]?.text }
        return SubscriptionRule(name: name, filter: filter, action: action)
    }

    /// A rule as enumerate-rules returns it: rule-description(filter, action, name).
    static func described(_ rule: SubscriptionRule) -> AMQPValue {
        let level = AMQPValue.int(sqlCompatibilityLevel)
        let filter: AMQPValue
        switch rule.filter {
        case .sql(let text) where text.replacingOccurrences(of: " ", with: "") == "1=1":
            filter = .described(.ulong(RuleDescriptor.trueFilter), .list([.string(text), level]))
        case .sql(let text) where text.replacingOccurrences(of: " ", with: "") == "1=0":
            filter = .described(.ulong(RuleDescriptor.falseFilter), .list([.string(text), level]))
        case .sql(let text):
            filter = .described(.ulong(RuleDescriptor.sqlFilter), .list([.string(text), level]))
        case .correlation(let c):
            let optional = { (s: String?) in s.map { AMQPValue.string($0) } ?? .null }
            let properties = AMQPValue.map(c.properties.sorted { $0.key < $1.key }.map { .init(.string($0.key), .string($0.value)) })
            filter = .described(.ulong(RuleDescriptor.correlationFilter), .list([
                optional(c.correlationId), optional(c.messageId), optional(c.to), optional(c.replyTo), optional(c.subject),
                optional(c.sessionId), optional(c.replyToSessionId), optional(c.contentType), properties,
            ]))
        }
        let action: AMQPValue = rule.action.map { .described(.ulong(RuleDescriptor.sqlAction), .list([.string($0), level])) }
            ?? .described(.ulong(RuleDescriptor.emptyAction), .list([]))
        return .described(.ulong(RuleDescriptor.rule), .list([filter, action, .string(rule.name)]))
    }
}
