import ArgumentParser
import WharfAdmin
import WharfEngine

/// `wharf broker list`: the Brokers view for scripts and terminals without the dashboard, on the
/// embedded engine (one broker) or a cluster over `--bootstrap` (Metadata and DescribeLogDirs).
struct BrokerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker", abstract: "List brokers: partitions led, copies out of sync, disk free.",
        subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List brokers with the partitions they lead and hold, copies out of sync, and their log volume's free space.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let brokers = try await cluster.location(data).withSource { try await $0.describeBrokers() }
            try BrokerTable.list(brokers, json: output.json)
        }
    }
}

/// How `broker list` prints, whatever the source: the Brokers view's columns; JSON with the same fields.
enum BrokerTable {
    static func list(_ brokers: [BrokerDescription], json: Bool) throws {
        if json { return try Output.json(brokers.map(BrokerReport.init)) }
        Output.table(["ID", "ADDRESS", "ROLE", "LEADS", "REPLICAS", "BEHIND", "DISK FREE", "FREE"],
                     brokers.map { b in
                         ["\(b.id)", b.address, b.isOnline ? (b.isController ? "controller" : "") : "OFFLINE",
                          "\(b.leaderPartitions)", "\(b.replicas)", "\(b.outOfSync)",
                          b.volume.map { Output.bytes($0.usableBytes) } ?? "-", b.volume.map { "\($0.freePercent)%" } ?? "-"]
                     },
                     rightAligned: [0, 3, 4, 5, 6, 7])
    }
}
