import ArgumentParser
import Foundation
import WharfAdmin
import WharfCore
import WharfEngine

struct DlqCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Dead-letter queues: list, peek, requeue, purge, undo.",
        discussion: """
            ENTITY is a queue name (meaning its dead-letter queue), QUEUE/$deadletterqueue, or a dead-letter topic. \
            With --bootstrap (list, peek, requeue, purge) only dead-letter topics exist: queues are Wharf-only.
            """,
        subcommands: [List.self, Peek.self, Requeue.self, Purge.self, Undo.self, Mark.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Dead-letter queues with their counts and oldest message.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let report = try await cluster.location(data).deadLetterList()
            let (counts, topics) = (report.queues, report.topics)
            // Always the same shape, whatever exists, so scripts need no special case.
            if output.json { return try Output.json(report) }
            if counts.isEmpty && topics.isEmpty { return print("no dead-letter queues") }
            if !counts.isEmpty {
                Output.table(["DEAD-LETTER QUEUE", "MESSAGES", "OLDEST", "SIZE"], counts.map {
                    [$0.entity, "\($0.totalCount)", $0.oldestMessageAgeMillis.map { Output.duration(ms: $0) } ?? "-", Output.bytes($0.sizeBytes)]
                }, rightAligned: [1, 2, 3])
            }
            if !topics.isEmpty {
                Output.table(["DEAD-LETTER TOPIC", "RECORDS", "OLDEST", "TOP REASON"], topics.map {
                    [$0.name, "\($0.count)", $0.oldestMessageAgeMillis.map { Output.duration(ms: $0) } ?? "-", $0.topReasons.first?.reason ?? "-"]
                }, rightAligned: [1, 2])
            }
        }
    }

    static func dlqPath(_ entity: String) -> String {
        let (queue, _) = QueueNames.parse(entity)
        return QueueNames.deadLetter(of: queue)
    }

    struct Peek: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Browse dead-lettered messages with their reasons.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @Argument var entity: String
        @Option(name: .customLong("from-seq")) var fromSeq: Int64 = 1
        @Option var max: Int = 100
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            if try await cluster.location(data).namesTopic(entity) {
                return try await DlqTopics.peek(entity, data: data, cluster: cluster, max: max, json: output.json)
            }
            let messages = try await QueueSession.with(data) { try $0.peek(DlqCommand.dlqPath(entity), fromSequenceNumber: fromSeq, max: max) }
            try printMessages(messages, json: output.json)
        }
    }

    struct Requeue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move dead-lettered messages back to their queue (or --to another), atomically.",
            discussion: "Requeued messages get a new sequence number, delivery count 0, no dead-letter reason, and requeue-count + 1.")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @OptionGroup var output: JSONOption
        @Argument var entity: String
        @Option(name: .customLong("seq"), parsing: .upToNextOption, help: "Sequence numbers to requeue.") var seqs: [Int64] = []
        @Option(name: .customLong("offset"), parsing: .upToNextOption, help: "Offsets to requeue (dead-letter topics).") var offsets: [Int64] = []
        @Flag var all = false
        @Option(help: "Only messages with this dead-letter reason.") var reason: String?
        @Option(help: "Only messages whose body contains this text.") var contains: String?
        @Option(help: "Target queue (default: the queue the dead-letter queue belongs to).") var to: String?
        @Flag(name: .customLong("dry-run"), help: "Say how many would move and where, change nothing.") var dryRun = false
        @OptionGroup var cluster: BootstrapOption

        func selection() throws -> RequeueSelection {
            var chosen: [RequeueSelection] = []
            if !seqs.isEmpty { chosen.append(.sequenceNumbers(seqs)) }
            if all { chosen.append(.all) }
            if let reason { chosen.append(.reason(reason)) }
            if let contains { chosen.append(.bodyContains(contains)) }
            guard chosen.count == 1 else { throw ValidationError("give exactly one of --seq N..., --all, --reason R, --contains TEXT") }
            return chosen[0]
        }

        func validate() throws {
            try cluster.validate(with: data)
            if offsets.isEmpty { _ = try selection() }
        }

        func run() async throws {
            if try await cluster.location(data).namesTopic(entity) {
                return try await DlqTopics.requeue(entity, data: data, cluster: cluster, fsync: fsync, offsets: offsets, all: all, reason: reason,
                                                   contains: contains, to: to, dryRun: dryRun, json: output.json)
            }
            let policy = try fsync.policy()
            guard offsets.isEmpty else { throw ValidationError("--offset is for dead-letter topics; use --seq for a queue") }
            let r = try await QueueSession.with(data, fsync: policy) { try $0.requeue(entity, try selection(), to: to, dryRun: dryRun) }
            if output.json { return try Output.json(RequeueReport(r)) }
            print("\(r.dryRun ? "would requeue" : "requeued") \(Output.count(r.count, "message")) from \(r.source) to \(r.target)"
                  + (r.skipped.isEmpty ? "" : "; skipped \(r.skipped.map(String.init).joined(separator: ","))"))
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete every message of a dead-letter queue (restorable with undo for 15 minutes).")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @Argument var entity: String
        @Flag(help: "Confirm the purge.") var yes = false
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            if try await cluster.location(data).namesTopic(entity) {
                return try await DlqTopics.purge(entity, data: data, cluster: cluster, fsync: fsync, yes: yes)
            }
            let policy = try fsync.policy()
            let target = DlqCommand.dlqPath(entity)
            let r = try await QueueSession.with(data, fsync: policy) { try $0.purge(target, dryRun: !yes) }
            if !yes {
                print("would purge \(Output.count(r.count, "message")) from \(r.entity); add --yes to do it")
                throw ExitCode(2)
            }
            print("purged \(Output.count(r.count, "message")) from \(r.entity); 'wharf dlq undo \(entity)' restores them until \(r.restorableUntil.map(TimeParsing.iso) ?? "-")")
        }
    }

    struct Undo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore the messages purged from a dead-letter queue in the last 15 minutes.")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @Argument var entity: String

        func run() async throws {
            let policy = try fsync.policy()
            let n = try await QueueSession.with(data, fsync: policy) { try $0.undoPurge(DlqCommand.dlqPath(entity)) }
            print("restored \(Output.count(n, "message")) to \(DlqCommand.dlqPath(entity))")
        }
    }
}
