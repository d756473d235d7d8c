import ArgumentParser
import WharfAdmin
import WharfClusterSource
import WharfCore
import WharfEngine

struct TopicCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topic", abstract: "Create, list, describe and delete topics.",
        subcommands: [Create.self, List.self, Describe.self, Delete.self, AddPartitions.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a topic.")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @OptionGroup var output: JSONOption
        @Argument(help: "Topic name: ASCII letters, digits, '.', '_' and '-', at most 249 characters.") var name: String
        @Option(help: "Number of partitions.") var partitions: Int32 = 3
        @Option(name: .customLong("retention-ms"), help: "Delete segments older than this many ms (-1: keep forever). Default: 7 days.")
        var retentionMs: Int64?
        @Option(name: .customLong("retention-bytes"), help: "Delete the oldest segments while a partition is larger than this (-1: unlimited).")
        var retentionBytes: Int64?
        @Option(name: .customLong("segment-bytes"), help: "Roll to a new segment file at this size. Default: 64 MiB.")
        var segmentBytes: Int?
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let topic = NewTopic(partitions: partitions, retentionMs: retentionMs, retentionBytes: retentionBytes, segmentBytes: segmentBytes)
            // Then described as `topic describe` would.
            let d = try await cluster.location(data, fsync: fsync).withSource { source in
                try await source.createTopic(name, topic)
                return try await source.describeTopic(name)
            }
            if output.json { try Output.json(d) } else {
                print("created topic \(d.name) with \(Output.count(d.partitions.count, "partition"))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics with their sizes.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @Flag(name: .customLong("internal"), help: "Include internal topics such as __consumer_offsets.") var includeInternal = false
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let all = try await cluster.location(data).withSource { try await $0.describeTopics(includeInternal: includeInternal) }
            try TopicReport.list(all, json: output.json)
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a topic's partitions: offsets, sizes, segments.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @Argument var name: String
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let d = try await cluster.location(data).withSource { try await $0.describeTopic(name) }
            try TopicReport.describe(d, json: output.json)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a topic and all its records.")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @Argument var name: String
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            try await cluster.location(data, fsync: fsync).withSource { try await $0.deleteTopic(name) }
            print("deleted topic \(name)")
        }
    }

    struct AddPartitions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-partitions", abstract: "Grow a topic to more partitions.")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @OptionGroup var output: JSONOption
        @Argument var name: String
        @Option(help: "The new total number of partitions.") var count: Int32
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let d = try await cluster.location(data, fsync: fsync).withSource { try await $0.addPartitions(name, totalCount: count) }
            if output.json { try Output.json(d) } else { print("topic \(name) now has \(Output.count(d.partitions.count, "partition"))") }
        }
    }
}
