import Foundation
import WharfCore

/// The Service Bus emulator's `Config.json` (reference §8.1): `UserConfig.Namespaces[].Queues[]`
/// and `.Topics[].Subscriptions[].Rules[]`, with `Properties` as the emulator names them
/// (durations ISO-8601, e.g. `PT1M`). Parsed without the emulator's clamps; unknown keys are
/// collected as warnings, never fatal; a malformed file is one `.invalidArgument`.
public struct ServiceBusEmulatorConfig: Sendable {
    public struct Queue: Sendable {
        public var name: String
        public var options: QueueOptions
    }

    public struct Subscription: Sendable {
        public var name: String
        public var options: QueueOptions
        public var rules: [SubscriptionRule]
    }

    public struct Topic: Sendable {
        public var name: String
        public var options: TopicOptions
        public var subscriptions: [Subscription]
    }

    public var queues: [Queue] = []
    public var topics: [Topic] = []
    /// Keys Wharf does not know or settings it does not apply (say so, go on).
    public var warnings: [String] = []

    public init(json data: Data) throws(WharfError) {
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw .invalidArgument("Config.json is not valid JSON: \(error.localizedDescription)")
        }
        var reader = Reader()
        let top = try reader.object(root, "the file")
        reader.known(top, ["UserConfig"], at: "")
        let user = try reader.object(top["UserConfig"], "UserConfig")
        reader.known(user, ["Namespaces", "Logging"], at: "UserConfig")
        for (n, ns) in try reader.array(user["Namespaces"], "UserConfig.Namespaces").enumerated() {
            let at = "Namespaces[\(n)]"
            let namespace = try reader.object(ns, at)
            reader.known(namespace, ["Name", "Queues", "Topics"], at: at)
            for (i, q) in try reader.array(namespace["Queues"] ?? JSONValue.array([]), at + ".Queues").enumerated() {
                let item = try reader.object(q, "\(at).Queues[\(i)]")
                reader.known(item, ["Name", "Properties"], at: "\(at).Queues[\(i)]")
                let name = try reader.string(item["Name"], "\(at).Queues[\(i)].Name")
                queues.append(Queue(name: name, options: try reader.queueOptions(item["Properties"], "queue \(name)")))
            }
            for (i, t) in try reader.array(namespace["Topics"] ?? JSONValue.array([]), at + ".Topics").enumerated() {
                let item = try reader.object(t, "\(at).Topics[\(i)]")
                reader.known(item, ["Name", "Properties", "Subscriptions"], at: "\(at).Topics[\(i)]")
                let name = try reader.string(item["Name"], "\(at).Topics[\(i)].Name")
                var topic = Topic(name: name, options: try reader.topicOptions(item["Properties"], "topic \(name)"), subscriptions: [])
                for (j, s) in try reader.array(item["Subscriptions"] ?? JSONValue.array([]), "topic \(name) Subscriptions").enumerated() {
                    let sub = try reader.object(s, "topic \(name) Subscriptions[\(j)]")
                    reader.known(sub, ["Name", "Properties", "Rules"], at: "topic \(name) Subscriptions[\(j)]")
                    let subName = try reader.string(sub["Name"], "topic \(name) Subscriptions[\(j)].Name")
                    let where_ = "subscription \(name)/\(subName)"
                    var rules: [SubscriptionRule] = []
                    for (k, r) in try reader.array(sub["Rules"] ?? JSONValue.array([]), where_ + " Rules").enumerated() {
                        rules.append(try reader.rule(r, "\(where_) Rules[\(k)]"))
                    }
                    topic.subscriptions.append(Subscription(name: subName, options: try reader.queueOptions(sub["Properties"], where_),
                                                            rules: rules.isEmpty ? [.defaultRule] : rules))
                }
                topics.append(topic)
            }
        }
        warnings = reader.warnings
    }

    /// Walks the untyped JSON, naming where a value is wrong.
    struct Reader {
        var warnings: [String] = []

        mutating func known(_ object: [String: JSONValue], _ keys: Set<String>, at place: String) {
            for key in object.keys.sorted() where !keys.contains(key) {
                warnings.append("unknown key \(place.isEmpty ? "" : place + ".")\(key) ignored")
            }
        }

        func object(_ v: JSONValue?, _ place: String) throws(WharfError) -> [String: JSONValue] {
            guard case .object(let o)? = v else { throw .invalidArgument("Config.json: \(place) must be an object") }
            return o
        }

        func array(_ v: JSONValue?, _ place: String) throws(WharfError) -> [JSONValue] {
            guard case .array(let a)? = v else { throw .invalidArgument("Config.json: \(place) must be an array") }
            return a
        }

        func string(_ v: JSONValue?, _ place: String) throws(WharfError) -> String {
            guard case .string(let s)? = v else { throw .invalidArgument("Config.json: \(place) must be a string") }
            return s
        }

        func bool(_ v: JSONValue?, _ place: String) throws(WharfError) -> Bool? {
            guard let v else { return nil }
            guard case .bool(let b) = v else { throw .invalidArgument("Config.json: \(place) must be true or false") }
            return b
        }

        func duration(_ v: JSONValue?, _ place: String) throws(WharfError) -> Int64? {
            guard let v else { return nil }
            guard case .string(let s) = v, let ms = TimeParsing.durationMillis(s), ms > 0 else {
                throw .invalidArgument("Config.json: \(place) must be an ISO-8601 duration such as PT1M")
            }
            return ms
        }

        /// An optional entity name ("" means none, as the emulator's sample writes it).
        func target(_ v: JSONValue?, _ place: String) throws(WharfError) -> String? {
            guard let v else { return nil }
            let s = try string(v, place)
            return s.isEmpty ? nil : s
        }

        mutating func queueOptions(_ v: JSONValue?, _ place: String) throws(WharfError) -> QueueOptions {
            var o = QueueOptions()
            guard let v else { return o }
            let p = try object(v, place + " Properties")
            known(p, ["DeadLetteringOnMessageExpiration", "DefaultMessageTimeToLive", "DuplicateDetectionHistoryTimeWindow",
                      "ForwardDeadLetteredMessagesTo", "ForwardTo", "LockDuration", "MaxDeliveryCount",
                      "RequiresDuplicateDetection", "RequiresSession"], at: place + " Properties")
            if let b = try bool(p["DeadLetteringOnMessageExpiration"], place + " DeadLetteringOnMessageExpiration") { o.deadLetteringOnMessageExpiration = b }
            o.defaultTimeToLiveMillis = try duration(p["DefaultMessageTimeToLive"], place + " DefaultMessageTimeToLive")
            if let w = try duration(p["DuplicateDetectionHistoryTimeWindow"], place + " DuplicateDetectionHistoryTimeWindow") {
                // The emulator allows 5 s; Service Bus (and Wharf) at least 20 s.
                o.duplicateDetectionWindowMillis = max(w, QueueOptions.duplicateDetectionWindowRange.lowerBound)
            }
            o.forwardDeadLetteredMessagesTo = try target(p["ForwardDeadLetteredMessagesTo"], place + " ForwardDeadLetteredMessagesTo")
            o.forwardTo = try target(p["ForwardTo"], place + " ForwardTo")
            if let l = try duration(p["LockDuration"], place + " LockDuration") { o.lockDurationMillis = l }
            if let m = p["MaxDeliveryCount"] {
                guard case .number(let d) = m, let n = Int(exactly: d) else { throw .invalidArgument("Config.json: \(place) MaxDeliveryCount must be a number") }
                o.maxDeliveryCount = n
            }
            if let b = try bool(p["RequiresDuplicateDetection"], place + " RequiresDuplicateDetection") { o.requiresDuplicateDetection = b }
            if let b = try bool(p["RequiresSession"], place + " RequiresSession") { o.requiresSession = b }
            do { try o.validate() } catch { throw .invalidArgument("Config.json: \(place): \(error)") }
            return o
        }

        mutating func topicOptions(_ v: JSONValue?, _ place: String) throws(WharfError) -> TopicOptions {
            var o = TopicOptions()
            guard let v else { return o }
            let p = try object(v, place + " Properties")
            known(p, ["DefaultMessageTimeToLive", "DuplicateDetectionHistoryTimeWindow", "RequiresDuplicateDetection"], at: place + " Properties")
            o.defaultTimeToLiveMillis = try duration(p["DefaultMessageTimeToLive"], place + " DefaultMessageTimeToLive")
            if try bool(p["RequiresDuplicateDetection"], place + " RequiresDuplicateDetection") == true {
                warnings.append("\(place): RequiresDuplicateDetection on a topic is not applied (set it on its subscriptions)")
            }
            return o
        }

        mutating func rule(_ v: JSONValue?, _ place: String) throws(WharfError) -> SubscriptionRule {
            let r = try object(v, place)
            known(r, ["Name", "Properties"], at: place)
            let name = try string(r["Name"], place + ".Name")
            let p = try object(r["Properties"], place + ".Properties")
            known(p, ["FilterType", "CorrelationFilter", "SqlFilter", "Action"], at: place + ".Properties")
            let filter: RuleFilter
            switch try string(p["FilterType"], place + ".Properties.FilterType").lowercased() {
            case "sql":
                let sql = try object(p["SqlFilter"], place + ".Properties.SqlFilter")
                known(sql, ["SqlExpression"], at: place + ".Properties.SqlFilter")
                filter = .sql(try string(sql["SqlExpression"], place + ".Properties.SqlFilter.SqlExpression"))
            case "correlation":
                let c = try object(p["CorrelationFilter"], place + ".Properties.CorrelationFilter")
                known(c, ["ContentType", "CorrelationId", "Label", "MessageId", "ReplyTo", "ReplyToSessionId", "SessionId", "To", "Properties"],
                      at: place + ".Properties.CorrelationFilter")
                func field(_ key: String) throws(WharfError) -> String? {
                    guard let v = c[key] else { return nil }
                    let s = try string(v, "\(place).Properties.CorrelationFilter.\(key)")
                    return s.isEmpty ? nil : s
                }
                var props: [String: String] = [:]
                for (k, value) in try object(c["Properties"] ?? JSONValue.object([:]), place + ".Properties.CorrelationFilter.Properties") {
                    switch value {
                    case .string(let s): props[k] = s
                    case .number(let d): props[k] = Int64(exactly: d).map(String.init) ?? String(d)
                    case .bool(let b): props[k] = b ? "true" : "false"
                    default: throw .invalidArgument("Config.json: \(place) correlation property \(k) must be a string, number or boolean")
                    }
                }
                filter = .correlation(CorrelationFilter(correlationId: try field("CorrelationId"), messageId: try field("MessageId"), to: try field("To"),
                                                        replyTo: try field("ReplyTo"), subject: try field("Label"), sessionId: try field("SessionId"),
                                                        replyToSessionId: try field("ReplyToSessionId"), contentType: try field("ContentType"),
                                                        properties: props))
            case let other:
                throw .invalidArgument("Config.json: \(place) FilterType must be Correlation or Sql, got '\(other)'")
            }
            var action: String?
            if let a = p["Action"] {
                let obj = try object(a, place + ".Properties.Action")
                known(obj, ["SqlExpression"], at: place + ".Properties.Action")
                action = try string(obj["SqlExpression"], place + ".Properties.Action.SqlExpression")
            }
            let rule = SubscriptionRule(name: name, filter: filter, action: action)
            do { try rule.validate() } catch { throw .invalidArgument("Config.json: \(place): \(error)") }
            return rule
        }
    }
}

/// Any JSON value (the config is read loosely, so unknown keys can be warned about).
enum JSONValue: Decodable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}

extension QueueStore {
    /// Creates what `config` declares and does not exist yet (queues, topics, subscriptions, and
    /// rules missing from existing subscriptions); what exists is left as it is, so importing
    /// the same file at every start changes nothing. Returns one line per change.
    @discardableResult
    public func importEmulatorConfig(_ config: ServiceBusEmulatorConfig) throws(WharfError) -> [String] {
        var done: [String] = []
        let queues = Set(listQueues())
        // Queues that forward to each other: create all without forwarding, then set it.
        var forwarding: [ServiceBusEmulatorConfig.Queue] = []
        for q in config.queues where !queues.contains(q.name) {
            var plain = q.options
            plain.forwardTo = nil
            plain.forwardDeadLetteredMessagesTo = nil
            try createQueue(q.name, plain)
            done.append("created queue \(q.name)")
            if q.options != plain { forwarding.append(q) }
        }
        for t in config.topics {
            if !topicExists(t.name) {
                try createTopic(t.name, t.options)
                done.append("created topic \(t.name)")
            }
            let existing = Set(try listSubscriptions(t.name))
            for s in t.subscriptions {
                if !existing.contains(s.name) {
                    try createSubscription(topic: t.name, name: s.name, s.options, rules: s.rules)
                    done.append("created subscription \(SubscriptionNames.path(topic: t.name, subscription: s.name))")
                    continue
                }
                let have = Set(try listRules(topic: t.name, subscription: s.name).map(\.name))
                for r in s.rules where !have.contains(r.name) && r.name != SubscriptionRule.defaultName {
                    try addRule(topic: t.name, subscription: s.name, r)
                    done.append("added rule \(r.name) to \(SubscriptionNames.path(topic: t.name, subscription: s.name))")
                }
            }
        }
        for q in forwarding { try updateQueue(q.name, q.options) }
        return done
    }
}
