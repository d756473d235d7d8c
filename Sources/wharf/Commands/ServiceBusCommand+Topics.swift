import ArgumentParser
import Foundation
import WharfCore
import WharfEngine

/// `wharf servicebus topic|subscription|rule ...`: Service Bus topics, their subscriptions (queues
/// named `<topic>/Subscriptions/<name>`, listed by `wharf queue list` too) and subscription rules.
extension ServiceBusCommand {
    struct Topic: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Manage Service Bus topics.", subcommands: [Create.self, List.self, Delete.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a topic (no subscriptions yet).")
            @OptionGroup var data: DataOptions
            @Argument var name: String
            @Option(name: .customLong("default-ttl"), help: "Time to live of messages sent without one.") var defaultTTL: String?

            func run() async throws {
                let options = TopicOptions(defaultTimeToLiveMillis: try defaultTTL.map { try parseDurationOption($0, "--default-ttl") })
                _ = try await QueueSession.with(data) { try $0.createTopic(name, options) }
                print("created topic \(name)")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List topics with their subscription counts.")
            @OptionGroup var data: DataOptions

            func run() async throws {
                let rows = try await QueueSession.with(data) { q in
                    try q.listTopics().map { name throws -> [String] in [name, String(try q.listSubscriptions(name).count)] }
                }
                if rows.isEmpty { return print("no topics (create one with: wharf servicebus topic create NAME)") }
                Output.table(["TOPIC", "SUBSCRIPTIONS"], rows, rightAligned: [1])
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete a topic with its subscriptions and their messages.")
            @OptionGroup var data: DataOptions
            @Argument var name: String

            func run() async throws {
                try await QueueSession.with(data) { try $0.deleteTopic(name) }
                print("deleted topic \(name)")
            }
        }
    }

    struct Subscription: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Manage subscriptions of Service Bus topics.",
                                                        subcommands: [Create.self, List.self, Delete.self])

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a subscription with the $Default rule (every message) or a SQL filter.")
            @OptionGroup var data: DataOptions
            @Argument var topic: String
            @Argument var name: String
            @OptionGroup var entity: QueueEntityOptions
            @Option(name: .customLong("sql"), help: "The $Default rule's SQL filter instead of every message.") var sql: String?

            func run() async throws {
                let o = try entity.queueOptions()
                let rule = SubscriptionRule(name: SubscriptionRule.defaultName, filter: .sql(sql ?? "1=1"))
                _ = try await QueueSession.with(data) { try $0.createSubscription(topic: topic, name: name, o, rules: [rule]) }
                print("created subscription \(SubscriptionNames.path(topic: topic, subscription: name))")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List a topic's subscriptions with their message counts.")
            @OptionGroup var data: DataOptions
            @Argument var topic: String

            func run() async throws {
                let counts = try await QueueSession.with(data) { q in
                    try q.listSubscriptions(topic).map { sub throws -> (String, QueueRuntimeCounts) in
                        (sub, try q.runtimeCounts(SubscriptionNames.path(topic: topic, subscription: sub)))
                    }
                }
                if counts.isEmpty { return print("no subscriptions (create one with: wharf servicebus subscription create \(topic) NAME)") }
                Output.table(["SUBSCRIPTION", "ACTIVE", "LOCKED", "DEAD-LETTERED"], counts.map {
                    [$0.0, "\($0.1.activeCount)", "\($0.1.lockedCount)", "\($0.1.deadLetterCount)"]
                }, rightAligned: [1, 2, 3])
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete a subscription and its messages.")
            @OptionGroup var data: DataOptions
            @Argument var topic: String
            @Argument var name: String

            func run() async throws {
                try await QueueSession.with(data) { try $0.deleteSubscription(topic: topic, name: name) }
                print("deleted subscription \(SubscriptionNames.path(topic: topic, subscription: name))")
            }
        }
    }

    struct Rule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Manage the rules (filters) of a subscription.",
                                                        subcommands: [Add.self, List.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a rule: a SQL filter (--sql) or a correlation filter (--correlation-id, --subject, --property k=v, ...).")
            @OptionGroup var data: DataOptions
            @Argument var topic: String
            @Argument var subscription: String
            @Argument var name: String
            @Option(name: .customLong("sql"), help: "SQL filter, e.g. \"sys.Label = 'red' AND quantity > 5\".") var sql: String?
            @Option(name: .customLong("correlation-id")) var correlationId: String?
            @Option(name: .customLong("message-id")) var messageId: String?
            @Option(name: .customLong("to")) var to: String?
            @Option(name: .customLong("reply-to")) var replyTo: String?
            @Option(name: [.customLong("subject"), .customLong("label")]) var subject: String?
            @Option(name: .customLong("session-id")) var sessionId: String?
            @Option(name: .customLong("content-type")) var contentType: String?
            @Option(name: .customLong("property"), help: ArgumentHelp("Application property equality (repeatable).", valueName: "key=value"))
            var properties: [String] = []
            @Option(name: .customLong("action"), help: "SQL action (SET p = expr, REMOVE p; ...) applied to the copy this rule matches.") var action: String?

            /// Bad combinations are WharfErrors (one line), not usage errors.
            func filter() throws(WharfError) -> RuleFilter {
                try RuleFilter(sql: sql, correlation: CorrelationFilter(correlationId: correlationId, messageId: messageId, to: to, replyTo: replyTo,
                                                                        subject: subject, sessionId: sessionId, contentType: contentType),
                               properties: properties)
            }

            func run() async throws {
                let rule = SubscriptionRule(name: name, filter: try filter(), action: action)
                try rule.validate()
                try await QueueSession.with(data) { try $0.addRule(topic: topic, subscription: subscription, rule) }
                print("added rule \(name) to \(SubscriptionNames.path(topic: topic, subscription: subscription))")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List a subscription's rules.")
            @OptionGroup var data: DataOptions
            @Argument var topic: String
            @Argument var subscription: String

            func run() async throws {
                let rules = try await QueueSession.with(data) { try $0.listRules(topic: topic, subscription: subscription) }
                if rules.isEmpty { return print("no rules: the subscription gets no messages") }
                Output.table(["RULE", "FILTER", "ACTION"], rules.map { [$0.name, $0.filter.summary, $0.action ?? ""] })
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a rule.")
            @OptionGroup var data: DataOptions
            @Argument var topic: String
            @Argument var subscription: String
            @Argument var name: String

            func run() async throws {
                try await QueueSession.with(data) { try $0.removeRule(topic: topic, subscription: subscription, name: name) }
                print("removed rule \(name)")
            }
        }
    }
}
