import Foundation
import Logging
import WharfCore
import WharfStorage

/// A topic in memory: its options and the parsed rules of each subscription.
struct ServiceBusTopic: Sendable {
    var options: TopicOptions
    var subscriptions: [String: [CompiledRule]] = [:]
    /// The fan-out intents (nil only if its log could not be opened at creation; then fan-out is
    /// not atomic, as before it existed).
    var fanOut: TopicFanOut?
}

extension AuditAction {
    static let serviceBusTopicCreate = "servicebus.topic.create"
    static let serviceBusTopicDelete = "servicebus.topic.delete"
    static let serviceBusSubscriptionCreate = "servicebus.subscription.create"
    static let serviceBusSubscriptionDelete = "servicebus.subscription.delete"
    static let serviceBusRuleAdd = "servicebus.rule.add"
    static let serviceBusRuleRemove = "servicebus.rule.remove"
}

/// Service Bus topics (reference §9): a topic fans each message out to its subscriptions, and a
/// subscription is a queue entity (`<topic>/Subscriptions/<name>`, with its own locks,
/// dead-letter queue and sessions) that gets a copy when any of its rules matches.
///
/// Layout: `<data>/queues/<topic>/topic.json` (`TopicOptions`; queues and topics share one
/// namespace, as in Service Bus) and `<data>/queues/<topic>/Subscriptions/<name>/` laid out as a
/// queue directory plus `rules.json`. A subscription is created in scratch with its rules and
/// renamed into place whole; rule changes rewrite `rules.json` atomically.
///
/// Fan-out writes one record per matching subscription, each durable under the fsync policy
/// before the send is answered. The copies are separate appends under a durable intent
/// (`TopicFanOut`, `QueueStore+FanOut`): a crash in the middle of a send is completed on open, so
/// the message ends in every matching subscription or, if the crash came before the intent was
/// durable, in none.
extension QueueStore {
    // MARK: - Opening

    static func openTopic(name: String, directory: String, fsync: FsyncPolicy, clock: any WallClock, logger: Logger,
                          faults: FaultInjector?, into table: inout [String: QueueEntity]) throws(WharfError) -> ServiceBusTopic {
        var state = ServiceBusTopic(options: try TopicOptions.load(from: directory))
        state.fanOut = try TopicFanOut.open(topicDirectory: directory, fsync: fsync, clock: clock, logger: logger, faults: faults)
        let folder = directory + "/" + TopicOptions.subscriptionsFolder
        for sub in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
            let dir = folder + "/" + sub
            guard FileManager.default.fileExists(atPath: dir + "/" + QueueOptions.fileName) else { continue }
            let path = SubscriptionNames.path(topic: name, subscription: sub)
            let options = try QueueOptions.load(from: dir)
            let rules = try JSONFile.load([SubscriptionRule].self, from: dir + "/" + TopicOptions.rulesFileName)
            var compiled: [CompiledRule] = []
            for rule in rules {
                do { compiled.append(try rule.compiled()) } catch {
                    logger.error("ignoring a rule that does not parse", metadata: ["subscription": "\(path)", "rule": "\(rule.name)", "error": "\(error)"])
                }
            }
            for (key, entity) in try openEntities(name: path, directory: dir, options: options, fsync: fsync, clock: clock, logger: logger, faults: faults) {
                table[key] = entity
            }
            state.subscriptions[sub] = compiled
        }
        return state
    }

    // MARK: - Topics

    func topicExists(_ name: String) -> Bool { topics.withLock { $0[name] != nil } }

    /// Topic names, sorted.
    public func listTopics() -> [String] { topics.withLock { Array($0.keys) }.sorted() }

    public func topicOptions(_ name: String) throws(WharfError) -> TopicOptions {
        guard let o = topics.withLock({ $0[name]?.options }) else { throw .unknownQueue(name) }
        return o
    }

    @discardableResult
    public func createTopic(_ name: String, _ options: TopicOptions = TopicOptions(),
                            actor: AuditActor = .thisProcess) throws(WharfError) -> TopicOptions {
        try audit.audited(actor, AuditAction.serviceBusTopicCreate, target: "topic:\(name)") { () throws(WharfError) in
            try QueueNames.validateQueue(name)
            try options.validate()
            if entities.withLock({ $0[name] != nil }) { throw .queueExists(name) }
            var opts = options
            opts.createdAt = clock.nowMillis()
            try topics.withLock { (table: inout [String: ServiceBusTopic]) throws(WharfError) in
                if table[name] != nil { throw .queueExists(name) }
                let scratch = ScratchDirectory(inside: queuesDirectory, files: files)
                let staging = try scratch.makeStaging()
                do throws(WharfError) {
                    try JSONFile.save(opts, to: staging + "/" + TopicOptions.fileName, files: files)
                    try files.makeDirectoryDurably(staging + "/" + TopicOptions.subscriptionsFolder)
                } catch {
                    try? files.removeTree(staging)
                    throw error
                }
                try scratch.publish(staging, as: queuesDirectory + "/" + name)
                var topic = ServiceBusTopic(options: opts)
                topic.fanOut = try? TopicFanOut.open(topicDirectory: queuesDirectory + "/" + name, fsync: fsync, clock: clock,
                                                     logger: logger, faults: faults)
                table[name] = topic
            }
            logger.info("created topic", metadata: ["topic": "\(name)"])
            return opts
        }
    }

    /// Deletes a topic with all its subscriptions and their messages.
    public func deleteTopic(_ name: String, actor: AuditActor = .thisProcess) throws(WharfError) {
        try audit.audited(actor, AuditAction.serviceBusTopicDelete, target: "topic:\(name)") { () throws(WharfError) in
            guard let state = topics.withLock({ $0.removeValue(forKey: name) }) else { throw .unknownQueue(name) }
            let removed = entities.withLock { table in
                state.subscriptions.keys.flatMap { sub -> [QueueEntity] in
                    let path = SubscriptionNames.path(topic: name, subscription: sub)
                    return [table.removeValue(forKey: path), table.removeValue(forKey: QueueNames.deadLetter(of: path))].compactMap { $0 }
                }
            }
            for e in removed { try? e.close() }
            try? state.fanOut?.close()
            try ScratchDirectory(inside: queuesDirectory, files: files).discard(queuesDirectory + "/" + name, logger: logger)
            logger.info("deleted topic", metadata: ["topic": "\(name)"])
        }
    }

    // MARK: - Subscriptions

    /// Subscription names of a topic, sorted.
    public func listSubscriptions(_ topic: String) throws(WharfError) -> [String] {
        guard let subs = topics.withLock({ $0[topic].map { Array($0.subscriptions.keys) } }) else { throw .unknownQueue(topic) }
        return subs.sorted()
    }

    /// Creates a subscription (a queue entity `<topic>/Subscriptions/<name>`) with `rules`
    /// (default: the `$Default` true rule, as Service Bus gives every new subscription).
    @discardableResult
    public func createSubscription(topic: String, name: String, _ options: QueueOptions = QueueOptions(),
                                   rules: [SubscriptionRule] = [.defaultRule], actor: AuditActor = .thisProcess) throws(WharfError) -> QueueOptions {
        let path = SubscriptionNames.path(topic: topic, subscription: name)
        return try audit.audited(actor, AuditAction.serviceBusSubscriptionCreate, target: "subscription:\(path)",
                                 after: { Self.auditFields($0) }) { () throws(WharfError) in
            try SubscriptionNames.validate(name)
            guard topicExists(topic) else { throw .unknownQueue(topic) }
            let compiled = try Self.compile(rules)
            let opts = try createEntity(path, options) { (staging) throws(WharfError) in
                try JSONFile.save(rules, to: staging + "/" + TopicOptions.rulesFileName, files: files)
            }
            topics.withLock { $0[topic]?.subscriptions[name] = compiled }
            return opts
        }
    }

    public func deleteSubscription(topic: String, name: String, actor: AuditActor = .thisProcess) throws(WharfError) {
        let path = SubscriptionNames.path(topic: topic, subscription: name)
        try audit.audited(actor, AuditAction.serviceBusSubscriptionDelete, target: "subscription:\(path)") { () throws(WharfError) in
            try deleteQueueUnaudited(path)
        }
    }

    /// Drops a deleted subscription's rules (no-op for queues).
    func forgetSubscription(_ path: String) {
        guard let (topic, sub) = SubscriptionNames.parse(path) else { return }
        _ = topics.withLock { $0[topic]?.subscriptions.removeValue(forKey: sub) }
    }

    // MARK: - Rules

    public func listRules(topic: String, subscription: String) throws(WharfError) -> [SubscriptionRule] {
        guard let rules = topics.withLock({ $0[topic]?.subscriptions[subscription] }) else {
            throw .unknownQueue(SubscriptionNames.path(topic: topic, subscription: subscription))
        }
        return rules.map(\.rule)
    }

    public func addRule(topic: String, subscription: String, _ rule: SubscriptionRule, actor: AuditActor = .thisProcess) throws(WharfError) {
        let path = SubscriptionNames.path(topic: topic, subscription: subscription)
        try audit.audited(actor, AuditAction.serviceBusRuleAdd, target: "rule:\(path)/\(rule.name)") { () throws(WharfError) in
            let compiled = try Self.compile([rule])
            try changeRules(topic: topic, subscription: subscription) { (rules: inout [CompiledRule]) throws(WharfError) in
                guard !rules.contains(where: { $0.rule.name == rule.name }) else {
                    throw .invalidArgument("rule '\(rule.name)' already exists on \(path)")
                }
                rules += compiled
            }
        }
    }

    public func removeRule(topic: String, subscription: String, name: String, actor: AuditActor = .thisProcess) throws(WharfError) {
        let path = SubscriptionNames.path(topic: topic, subscription: subscription)
        try audit.audited(actor, AuditAction.serviceBusRuleRemove, target: "rule:\(path)/\(name)") { () throws(WharfError) in
            try changeRules(topic: topic, subscription: subscription) { (rules: inout [CompiledRule]) throws(WharfError) in
                guard let i = rules.firstIndex(where: { $0.rule.name == name }) else {
                    throw .invalidArgument("no rule '\(name)' on \(path)")
                }
                rules.remove(at: i)
            }
        }
    }

    /// Applies `change` to a subscription's rules and persists them before they take effect.
    private func changeRules(topic: String, subscription: String,
                             _ change: (inout [CompiledRule]) throws(WharfError) -> Void) throws(WharfError) {
        let path = SubscriptionNames.path(topic: topic, subscription: subscription)
        let e = try entity(path)
        try topics.withLock { (table: inout [String: ServiceBusTopic]) throws(WharfError) in
            guard var rules = table[topic]?.subscriptions[subscription] else { throw .unknownQueue(path) }
            try change(&rules)
            try JSONFile.save(rules.map(\.rule), to: e.directory + "/" + TopicOptions.rulesFileName, files: files)
            table[topic]?.subscriptions[subscription] = rules
        }
    }

    static func compile(_ rules: [SubscriptionRule]) throws(WharfError) -> [CompiledRule] {
        var out: [CompiledRule] = []
        for r in rules {
            try r.validate()
            out.append(try r.compiled())
        }
        return out
    }

    // MARK: - Sending

    /// Sends `message` to `topic`'s matching subscriptions and waits for the answer (see
    /// `beginPublish`): the receipt of its first copy (the topic's own, with no sequence number,
    /// when no subscription took it).
    func publish(_ topic: String, _ message: OutgoingMessage) throws(WharfError) -> SendReceipt {
        try QueueMessageCodec.validate(message)
        let batch = try beginPublish(topic, [message])
        try DurableWaits.waitBlocking([batch.outcome.wait])
        return batch.receipts[0]
    }

    /// Begins sending `messages` (each valid) to `topic`: each goes, in order, to every
    /// subscription with a matching rule (`forEachCopy(of:matching:)`), atomically (`TopicFanOut`);
    /// one that matches none is dropped, as Service Bus does. The batch is answered when the
    /// copies are as durable as the policy promises.
    func beginPublish(_ topic: String, _ messages: [OutgoingMessage]) throws(WharfError) -> TopicFanOutBatch {
        guard let state = topics.withLock({ $0[topic] }) else { throw .unknownQueue(topic) }
        // Each subscription's path once per send, not once per copy.
        let subscriptions = state.subscriptions.sorted { $0.key < $1.key }
            .map { (path: SubscriptionNames.path(topic: topic, subscription: $0.key), rules: $0.value) }
        var copies: [TopicFanOutBatch.Copy] = []
        copies.reserveCapacity(messages.count * subscriptions.count)
        for (i, message) in messages.enumerated() {
            var m = message
            if m.messageId.isEmpty { m.messageId = RandomUUID.lowercasedString() }
            if let ttl = state.options.defaultTimeToLiveMillis { m.timeToLiveMillis = min(m.timeToLiveMillis ?? ttl, ttl) }
            let view = FilterableMessage(m)
            for (path, rules) in subscriptions {
                Self.forEachCopy(of: m, view, matching: rules) { copies.append(.init(message: i, path: path, copy: $0)) }
            }
        }
        return try beginFanOut(state, name: topic, messageCount: messages.count, copies)
    }

    /// What a subscription stores of `m` given its rules (Service Bus topic filters): one copy
    /// for all the matching rules without an action, then one copy per matching rule with an
    /// action, that action applied. An action whose result is not a valid message (a reserved
    /// property name, an empty session id) leaves its copy as sent. Allocates nothing for a
    /// rule without an action (the usual `$Default`).
    static func forEachCopy(of m: OutgoingMessage, _ view: FilterableMessage, matching rules: [CompiledRule],
                            _ body: (OutgoingMessage) -> Void) {
        if rules.contains(where: { $0.action == nil && $0.matches(view) }) { body(m) }
        for rule in rules {
            guard let action = rule.action, rule.matches(view) else { continue }
            let changed = action.applied(to: m)
            body((try? QueueMessageCodec.validate(changed)) != nil ? changed : m)
        }
    }
}
