import ArgumentParser
import Foundation
import WharfCore
import WharfEngine
import WharfStorage

/// Opens the engine and its queue store for one command, closing both afterwards.
enum QueueSession {
    static func with<T>(_ data: DataOptions, fsync: FsyncPolicy = .interval(milliseconds: 1000),
                        _ body: (QueueStore) async throws -> T) async throws -> T {
        try await DataDirectorySession.queues(data.directory, fsync: fsync, body)
    }
}

/// Durations as the queue options take them: `60s`, `5m`, ISO-8601 `PT1M`.
func parseDurationOption(_ text: String, _ flag: String) throws -> Int64 {
    guard let ms = TimeParsing.durationMillis(text) else {
        throw ValidationError("\(flag) '\(text)' is not a duration (e.g. 30s, 5m, PT1H)")
    }
    return ms
}

func printMessages(_ messages: [QueueMessage], json: Bool) throws {
    if json { return try Output.json(messages.map(QueueMessageReport.init)) }
    if messages.isEmpty { return print("no messages") }
    Output.table(["SEQ", "MESSAGE ID", "STATE", "DELIVERIES", "ENQUEUED", "REASON", "BODY"], messages.map {
        ["\($0.sequenceNumber)", $0.messageId, $0.state.rawValue, "\($0.deliveryCount)", TimeParsing.iso($0.enqueuedTime),
         $0.deadLetterReason ?? "", String(Output.text($0.body).prefix(60))]
    }, rightAligned: [0, 3])
}

struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "Service-Bus-style queues: create, send, receive, peek.",
        subcommands: [Create.self, List.self, Describe.self, Delete.self, Send.self, Receive.self, Peek.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a queue.")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @Argument var name: String
        @OptionGroup var entity: QueueEntityOptions
        @Option(name: .customLong("duplicate-detection-window"), help: "Turn on duplicate detection by message id over this window.")
        var duplicateDetectionWindow: String?
        @Option(name: .customLong("forward-to"), help: "Forward every message to this queue.") var forwardTo: String?
        @Option(name: .customLong("forward-dead-lettered-to"), help: "Send dead-lettered messages to this queue.") var forwardDeadLetteredTo: String?

        func run() async throws {
            var o = try entity.queueOptions()
            o.forwardTo = forwardTo
            o.forwardDeadLetteredMessagesTo = forwardDeadLetteredTo
            if let w = duplicateDetectionWindow {
                o.requiresDuplicateDetection = true
                o.duplicateDetectionWindowMillis = try parseDurationOption(w, "--duplicate-detection-window")
            }
            let policy = try fsync.policy()
            _ = try await QueueSession.with(data, fsync: policy) { try $0.createQueue(name, o) }
            print("created queue \(name)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List queues with their message counts.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption

        func run() async throws {
            let counts = try await QueueSession.with(data) { q in try q.listQueues().map { name throws -> QueueRuntimeCounts in try q.runtimeCounts(name) } }
            if output.json { return try Output.json(counts) }
            if counts.isEmpty { return print("no queues (create one with: wharf queue create NAME)") }
            Output.table(["QUEUE", "ACTIVE", "LOCKED", "DEFERRED", "SCHEDULED", "DEAD-LETTERED", "SIZE"], counts.map {
                [$0.entity, "\($0.activeCount)", "\($0.lockedCount)", "\($0.deferredCount)", "\($0.scheduledCount)", "\($0.deadLetterCount)", Output.bytes($0.sizeBytes)]
            }, rightAligned: [1, 2, 3, 4, 5, 6])
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Runtime counts of a queue (or its dead-letter queue).")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @Argument var name: String

        func run() async throws {
            let c = try await QueueSession.with(data) { try $0.runtimeCounts(name) }
            if output.json { return try Output.json(c) }
            print("\(c.entity): \(c.activeCount) active, \(c.lockedCount) locked, \(c.deferredCount) deferred, \(c.scheduledCount) scheduled, \(c.deadLetterCount) dead-lettered, \(Output.bytes(c.sizeBytes))"
                  + (c.oldestMessageAgeMillis.map { ", oldest \(Output.duration(ms: $0))" } ?? ""))
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a queue, its messages and its dead-letter queue.")
        @OptionGroup var data: DataOptions
        @Argument var name: String

        func run() async throws {
            try await QueueSession.with(data) { try $0.deleteQueue(name) }
            print("deleted queue \(name)")
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send messages: --body, or one per line from stdin.")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @OptionGroup var output: JSONOption
        @Argument var queue: String
        @Option var body: String?
        @Option(name: .customLong("message-id")) var messageId: String?
        @Option(name: .customLong("session-id")) var sessionId: String?
        @Option(name: .customLong("correlation-id")) var correlationId: String?
        @Option var subject: String?
        @Option(name: .customLong("content-type")) var contentType: String?
        @Option(name: .customLong("reply-to")) var replyTo: String?
        @Option(help: "Time to live, e.g. 30s.") var ttl: String?
        @Option(name: .customLong("scheduled-at"), help: "Enqueue at this ISO-8601 time instead of now.") var scheduledAt: String?
        @Option(name: .customLong("property"), help: ArgumentHelp("Application property K=V (repeatable).", valueName: "K=V")) var properties: [String] = []

        func run() async throws {
            var props: [String: String] = [:]
            do { for p in try KeyValueText.parseAll(properties, option: "--property") { props[p.key] = p.value } } catch { throw ValidationError(error.description) }
            let ttlMs = try ttl.map { try parseDurationOption($0, "--ttl") }
            let at = try scheduledAt.map { s -> Int64 in
                guard let t = TimeParsing.dateTimeMillis(s) else { throw ValidationError("--scheduled-at '\(s)' is not an ISO-8601 time") }
                return t
            }
            var bodies: [[UInt8]] = []
            if let body { bodies = [Array(body.utf8)] } else {
                var lines = LineReader(fd: 0)
                while let l = lines.next() { bodies.append(l) }
            }
            let policy = try fsync.policy()
            let receipts = try await QueueSession.with(data, fsync: policy) { q in
                try bodies.enumerated().map { i, b in
                    try q.send(queue, OutgoingMessage(messageId: messageId.map { bodies.count > 1 ? "\($0)-\(i)" : $0 } ?? "",
                                                      body: b, correlationId: correlationId, sessionId: sessionId, subject: subject,
                                                      contentType: contentType, replyTo: replyTo, timeToLiveMillis: ttlMs,
                                                      scheduledEnqueueTime: at, applicationProperties: props))
                }
            }
            if output.json { return try Output.json(receipts.map(SendReceiptReport.init)) }
            let byDisposition = Dictionary(grouping: receipts, by: { (r: SendReceipt) in r.disposition.rawValue }).mapValues { $0.count }
            print("sent \(Output.count(receipts.count, "message")) to \(queue): "
                  + byDisposition.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
    }

    struct Receive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Receive messages (peek-lock then settle, or receive-and-delete).",
            discussion: "Peek-lock needs --then: what to do with each message once printed.")
        enum Mode: String, ExpressibleByArgument, CaseIterable { case peekLock = "peek-lock", receiveAndDelete = "receive-and-delete" }
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @OptionGroup var output: JSONOption
        @Argument var queue: String
        @Option var mode: Mode = .peekLock
        @Option var max: Int = 1
        @Option(help: "Settle each received message: complete, abandon, defer or dead-letter.") var then: QueueSettlement?
        @Option(help: "Dead-letter reason (with --then dead-letter).") var reason: String?
        @Option(help: "Dead-letter description (with --then dead-letter).") var description: String?
        @Option(name: .customLong("session-id"), help: "Accept this session (session-enabled queues; default: the next available).") var sessionId: String?
        @Flag(help: "Keep receiving until SIGINT/SIGTERM: each message is printed (one line) and then settled.") var follow = false

        func validate() throws {
            guard max >= 1 else { throw ValidationError("--max must be at least 1") }
            if mode == .peekLock, then == nil { throw ValidationError("peek-lock needs --then complete|abandon|defer|dead-letter") }
            if mode == .receiveAndDelete, then != nil { throw ValidationError("--then applies to peek-lock only") }
        }

        func run() async throws {
            let policy = try fsync.policy()
            let m: ReceiveMode = mode == .peekLock ? .peekLock : .receiveAndDelete
            if follow {
                try await QueueSession.with(data, fsync: policy) { q in
                    if try q.needsSession(queue) {
                        throw ValidationError("--follow does not support session-enabled queues; receive one session at a time")
                    }
                    let loop = QueueReceiveLoop(queue: queue, max: max, mode: m, emit: printLine) { try settle([$0], q) }
                    _ = try await loop.run(q)
                }
                return
            }
            let messages = try await QueueSession.with(data, fsync: policy) { q in
                try q.receiveOnce(queue, sessionId: sessionId, max: max, mode: m) { try settle($0, q) }
            }
            try printMessages(messages, json: output.json)
        }

        /// One line per message under --follow: JSON, or sequence number and body.
        func printLine(_ m: QueueMessage) throws {
            if output.json { return try Output.json(QueueMessageReport(m)) }
            print("\(m.sequenceNumber)\t\(Output.text(m.body))")
        }

        func settle(_ messages: [QueueMessage], _ q: QueueStore) throws {
            guard let then else { return }
            try q.settle(messages, then, reason: reason, description: description)
        }
    }

    struct Peek: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Browse messages without locking or changing them.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @Argument var queue: String
        @Option(name: .customLong("from-seq")) var fromSeq: Int64 = 1
        @Option var max: Int = 32

        func run() async throws {
            let messages = try await QueueSession.with(data) { try $0.peek(queue, fromSequenceNumber: fromSeq, max: max) }
            try printMessages(messages, json: output.json)
        }
    }
}

extension QueueSettlement: ExpressibleByArgument {}
