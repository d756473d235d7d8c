import ArgumentParser
import Foundation
import WharfAdmin
import WharfCore
import WharfEngine
import WharfRuntime

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Append records read from stdin, one per line.",
        discussion: """
            Keyed records go to the partition Kafka's producer would choose (murmur2 of the key); \
            unkeyed records are spread evenly. Prints how many records were appended.
              printf 'k1:hello\\nk2:world\\n' | wharf produce orders --key-separator :
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var fsync: FsyncOptions
    @OptionGroup var output: JSONOption
    @Argument var topic: String
    @Option(name: .customLong("key-separator"), help: "Split each line at the first SEP into key and value (lines without it get no key).")
    var keySeparator: String?
    @Option(help: "Write every record to this partition instead of choosing by key.") var partition: Int32?
    @Option(name: .customLong("header"), help: ArgumentHelp("Add header K=V to every record (repeatable).", valueName: "K=V"))
    var headers: [String] = []
    @Option(name: .customLong("batch-size"), help: "Records per append (one batch each). Lines typed at a terminal are appended one at a time.")
    var batchSize: Int = 1000
    @Flag(name: .customLong("echo-offsets"), help: "Print 'partition offset' for every record once its append is acknowledged.")
    var echoOffsets = false
    @Flag(help: "Create the topic (with default settings; over --bootstrap, the broker's default partition count) if it does not exist.")
    var create = false

    @OptionGroup var cluster: BootstrapOption

    func validate() throws {
        try cluster.validate(with: data)
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if let keySeparator, keySeparator.isEmpty { throw ValidationError("--key-separator cannot be empty") }
        _ = try recordHeaders()
    }

    func run() async throws {
        _ = try fsync.policy()  // a bad --fsync is refused with --bootstrap too, as it always was
        let recordHeaders = try recordHeaders()
        let total = try await cluster.location(data, fsync: fsync).withSource { source in
            // Opened (and checked) before stdin is read.
            let appender = try await source.openAppender(topic: topic, partition: partition, create: create)
            return try await readLines(headers: recordHeaders) { try await appender.append($0) }
        }
        if output.json { try Output.json(ProduceReport(topic: topic, records: total)) } else {
            print("appended \(Output.count(total, "record")) to \(topic)")
        }
    }

    /// Reads stdin into records for `append` (`ProduceLoop`); prints each record's partition and
    /// offset with --echo-offsets. Returns how many records were appended.
    func recordHeaders() throws -> [RecordHeader] {
        do { return try KeyValueText.parseAll(headers, option: "--header").map { RecordHeader($0.key, $0.value) } } catch { throw ValidationError(error.description) }
    }

    func readLines(headers recordHeaders: [RecordHeader], _ append: ([Record]) async throws -> [ProduceLoop.Placement]) async throws -> Int {
        let loop = ProduceLoop(keySeparator: keySeparator, headers: recordHeaders, batchSize: batchSize)
        let echo: (([ProduceLoop.Placement]) -> Void)? = echoOffsets ? { Self.echo($0) } : nil
        return try await loop.run(echo: echo, append)
    }

    static func echo(_ placements: [ProduceLoop.Placement]) {
        for r in placements { for o in r.base...r.last { print("\(r.partition) \(o)") } }
        fflush(nil)
    }
}
