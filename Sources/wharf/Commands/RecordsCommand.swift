import ArgumentParser
import WharfAdmin
import WharfClusterSource
import WharfCore
import WharfEngine

struct RecordsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records", abstract: "Operate on records of a topic.", subcommands: [Delete.self])

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Purge: delete every record of a partition below an offset.",
            discussion: "Advances the partition's log start offset, as Kafka's DeleteRecords does. --before end (or --before=-1) deletes everything up to the log end.")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @OptionGroup var output: JSONOption
        @Argument var topic: String
        @Option var partition: Int32
        @Option(help: ArgumentHelp("Delete records with offsets below this one; 'end': every record retained.", valueName: "offset|end"))
        var before: RecordBound
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let deletion = try await cluster.location(data, fsync: fsync).withSource {
                try await $0.deleteRecords(topic: topic, partition: partition, before: before.offset)
            }
            let r = RecordDeletionReport(topic: topic, partition: partition, deletion)
            if output.json { try Output.json(r) } else {
                print("deleted \(Output.count(r.deletedRecords, "record")) from \(topic)/\(partition); log start offset is now \(r.logStartOffset)")
            }
        }
    }
}

/// `--before`: an offset, or `end` (Kafka's -1: the high watermark). "-1" is accepted too, with
/// `--before=-1`, since a bare -1 reads as a flag.
struct RecordBound: ExpressibleByArgument {
    /// The offset for DeleteRecords; -1 means the log end.
    let offset: Int64

    init?(argument: String) {
        if argument.lowercased() == "end" { offset = -1; return }
        guard let v = Int64(argument), v >= -1 else { return nil }
        offset = v
    }
}
