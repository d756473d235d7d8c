import ArgumentParser
import WharfCore
import WharfEngine

/// `wharf txn list`: the transaction coordinator's state per transactional id (what
/// ListTransactions and DescribeTransactions answer over the wire), with the same filters.
/// Reads `<data>/transactions.json` without taking the data directory's lock, so it works
/// beside a running `wharf serve`.
struct TxnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txn", abstract: "List transactional ids and their transactions.",
        subcommands: [List.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List transactional ids: state, producer id and epoch, timeout, start, partitions of the open transaction.")
        @OptionGroup var data: DataOptions
        @Option(name: .customLong("state"), help: ArgumentHelp(
            "Only this state (Empty, Ongoing, PrepareCommit, PrepareAbort, CompleteCommit, CompleteAbort); repeatable.", valueName: "state"))
        var states: [String] = []
        @Option(name: .customLong("producer-id"), help: ArgumentHelp("Only this producer id; repeatable.", valueName: "id"))
        var producerIds: [Int64] = []
        @Option(name: .customLong("min-duration-ms"), help: ArgumentHelp("Only transactions begun more than this long ago.", valueName: "ms"))
        var minDurationMs: Int64 = -1
        @OptionGroup var output: JSONOption

        func run() async throws {
            let filter = TransactionFilter(states: states, producerIds: producerIds, minDurationMs: minDurationMs)
            if let unknown = filter.unknownStates.first { throw ValidationError("--state '\(unknown)' is not a transaction state") }
            let now = SystemClock().nowMillis()
            let listed = try TransactionCoordinator.states(dataDirectory: data.directory).filter { filter.matches($0, now: now) }
            if output.json { return try Output.json(listed) }
            guard !listed.isEmpty else { return print("no transactional ids") }
            Output.table(["TRANSACTIONAL ID", "STATE", "PRODUCER ID", "EPOCH", "TIMEOUT MS", "STARTED", "PARTITIONS"], listed.map { t in
                [Output.safe(t.transactionalId), t.status.kafkaName, String(t.producerId), String(t.epoch), String(t.timeoutMs),
                 t.kafkaStartTimeMs < 0 ? "-" : TimeParsing.iso(t.kafkaStartTimeMs),
                 Output.safe(t.partitions.sorted().map { "\($0.topic)/\($0.partition)" }.joined(separator: ","))]
            }, rightAligned: [2, 3, 4])
        }
    }
}
