import ArgumentParser
import Foundation
import WharfAdmin
import WharfCore
import WharfEngine
import WharfOutbox
import WharfSources

/// `wharf trace ID`: one event followed through what Wharf knows (`Engine.trace`): the record
/// it became, who consumed it, whether it was dead-lettered and requeued, and where it is now.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Follow one event: the record it became, who consumed it, dead letters and requeues, where it is now.",
        discussion: """
            ID is TOPIC/PARTITION/OFFSET, or an outbox event id (the 'id' header the outbox relay \
            writes; dead-letter publishers and 'wharf dlq requeue' keep it). Every topic is read \
            once, up to --max-records records. With --bootstrap, a Kafka cluster answers the parts \
            it knows: records, dead-letter copies, requeues and committed offsets. With --outbox, \
            the trace starts at the event's outbox row (published, pending or dead).
            """)
    @OptionGroup var data: DataOptions
    @OptionGroup var cluster: BootstrapOption
    @Argument(help: "TOPIC/PARTITION/OFFSET or an event id.") var id: String
    @Option(name: .customLong("max-records"), help: "Stop reading after this many records (the trace then says it may be incomplete).")
    var maxRecords = 2_000_000
    @Option(name: .customLong("outbox"), help: ArgumentHelp(
        "An application database whose outbox (table 'outbox') may hold the event's row; repeatable.", valueName: "sqlite:PATH|postgres://..."))
    var outbox: [String] = []
    @OptionGroup var output: JSONOption

    func validate() throws {
        guard maxRecords > 0 else { throw ValidationError("--max-records must be positive") }
        try cluster.validate(with: data)
        for url in outbox {
            do { _ = try OutboxDatabaseURL(parsing: url) } catch { throw ValidationError("--outbox: \(error)") }
        }
    }

    func run() async throws {
        let (id, maxRecords) = (id, maxRecords)
        let trace = try await OutboxTraceStart.with(try outbox.map { try OutboxDatabaseURL(parsing: $0) }) { stores in
            try await cluster.location(data).withSource { source in
                try await OutboxTraceStart.trace(id, outboxes: stores) { try await source.trace(id, outbox: $0, maxRecords: maxRecords) }
            }
        }
        if output.json { return try Output.json(trace) }
        Self.print(trace)
    }

    static func print(_ trace: EventTrace) {
        Swift.print("trace \(Output.safe(trace.query))" + (trace.eventId.map { "  (event id \(Output.safe($0)))" } ?? ""))
        if let row = trace.outbox { Swift.print(Output.safe(row.summary)) }
        if !trace.hops.isEmpty {
            Output.table(["#", "ROLE", "RECORD", "TIME", "FROM", "REASON", "CONSUMED BY", "PENDING FOR"],
                         trace.hops.enumerated().map { i, h in
                [String(i + 1), h.role.rawValue, Output.safe(h.coordinates), h.time, Output.safe(h.from ?? "-"), Output.safe(h.reason ?? "-"),
                 h.consumedBy.isEmpty ? "-" : Output.safe(h.consumedBy.map(\.group).joined(separator: ",")),
                 h.pendingFor.isEmpty ? "-" : Output.safe(h.pendingFor.map(\.group).joined(separator: ","))]
            }, rightAligned: [0])
        }
        Swift.print("now: " + Output.safe(trace.now))
        if trace.truncated { Swift.print("(stopped after \(trace.scannedRecords) records: raise --max-records for a complete trace)") }
    }
}
