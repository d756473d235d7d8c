import ArgumentParser
import Foundation
import WharfAdmin
import WharfCore
import WharfEngine

struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print records of a topic.",
        discussion: """
            Without --group, reads every partition (or --partition) from --from to the current end. \
            With --group, joins the consumer group, reads its assigned partitions from the committed \
            offsets (--from applies where the group has none), and commits what it printed.
            --from takes earliest, latest, an offset, or an ISO-8601 time such as 2026-11-26T10:00:00Z \
            (UTC when no zone is given).
            With --bootstrap the same reading goes over the Kafka protocol; --group then joins the \
            cluster's group as a real member (range assignment), commits what it printed and leaves.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var data: DataOptions
    @OptionGroup var fsync: FsyncOptions
    @Argument var topic: String
    @Option var group: String?
    @Option var from: String = "earliest"
    @Option(help: "Read only this partition (not with --group).") var partition: Int32?
    @Option(help: "Stop after this many records.") var max: Int?
    @Option(help: "text: the value of each record; json: one object per line with topic, partition, offset, timestamp, key, value, headers.")
    var format: Format = .text
    @Flag(name: .customLong("print-key"), help: "With text format, print 'key<TAB>value'.") var printKey = false
    @OptionGroup var cluster: BootstrapOption

    func validate() throws {
        try cluster.validate(with: data)
        if let max, max < 1 { throw ValidationError("--max must be at least 1") }
        if group != nil, partition != nil { throw ValidationError("--partition cannot be used with --group (the group assigns partitions)") }
        _ = try parseFrom()
    }

    func parseFrom() throws -> ConsumeStart {
        guard let start = ConsumeStart(parsing: from) else {
            throw ValidationError("--from must be earliest, latest, an offset or an ISO-8601 time; got '\(from)'")
        }
        return start
    }

    func run() async throws {
        let start = try parseFrom()
        let limit = max ?? Int.max
        try await cluster.location(data, fsync: fsync).withSource { source in
            if let group {
                // A real member of the group (over --bootstrap, of the cluster's), polled and
                // committed, leaving the group on exit.
                let member = try await source.joinGroup(group, topics: [topic], clientId: "wharf-consume", startAt: start.groupStart)
                try await GroupConsumeLoop.run(member, limit: limit, emit: emit)
            } else {
                try await source.readTopic(topic, partition: partition, from: start, limit: limit, emit: emit)
            }
            fflush(nil)
        }
    }

    func emit(_ r: ConsumedRecord) {
        switch format {
        case .text:
            print(printKey ? "\(Output.text(r.record.key))\t\(Output.text(r.record.value))" : Output.text(r.record.value))
        case .json:
            try? Output.json(ConsumedRecordReport(r))
        }
    }
}
