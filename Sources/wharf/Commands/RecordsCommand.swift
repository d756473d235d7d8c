import ArgumentParser
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
            let oldStart: Int64, newStart: Int64
            if let kafka = try cluster.clientConfiguration() {
                // DeleteRecords to the partition's leader; -1 means its high watermark there too.
                let tp = TopicPartition(topic, partition)
                (oldStart, newStart) = try await ClusterSession.with(kafka) { client in
                    guard let old = try await client.logOffsets([tp])[tp]?.start else { throw WharfError.unknownPartition(topic: topic, partition: partition) }
                    guard let new = try await client.deleteRecords([tp: before.offset])[tp] else { throw WharfError.unknownPartition(topic: topic, partition: partition) }
                    return (old, new)
                }
            } else {
                let policy = try fsync.policy()
                (oldStart, newStart) = try await EngineSession.with(data, fsync: policy) { engine in
                    let old = try engine.offsets(topic: topic, partition: partition).logStart
                    return (old, try engine.deleteRecords(topic: topic, partition: partition, before: before.offset))
                }
            }
            struct Result: Encodable { let topic: String; let partition: Int32; let logStartOffset: Int64; let deletedRecords: Int64 }
            let r = Result(topic: topic, partition: partition, logStartOffset: newStart, deletedRecords: max(0, newStart - oldStart))
            if output.json { try Output.json(r) } else {
                print("deleted \(Output.count(r.deletedRecords, "record")) from \(topic)/\(partition); log start offset is now \(newStart)")
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
