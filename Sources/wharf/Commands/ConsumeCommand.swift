import ArgumentParser
import Foundation
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

    enum From { case earliest, latest, offset(Int64), time(Int64) }

    func parseFrom() throws -> From {
        switch from.lowercased() {
        case "earliest", "beginning": return .earliest
        case "latest", "end": return .latest
        default:
            if let o = Int64(from), o >= 0, from.count < 13 { return .offset(o) }
            if let t = TimeParsing.dateTimeMillis(from) { return .time(t) }
            throw ValidationError("--from must be earliest, latest, an offset or an ISO-8601 time; got '\(from)'")
        }
    }

    func run() async throws {
        let start = try parseFrom()
        let limit = max ?? Int.max
        if let kafka = try cluster.clientConfiguration() {
            if let group {
                try await Self.consumeFromClusterGroup(kafka, topic: topic, group: group, from: start, limit: limit, emit: emit)
            } else {
                try await Self.consumeFromCluster(kafka, topic: topic, partition: partition, from: start, limit: limit, emit: emit)
            }
            fflush(nil)
            return
        }
        try await EngineSession.with(data, fsync: try fsync.policy()) { engine in
            let description = try engine.describeTopic(topic)
            var printed = 0
            if let group {
                let consumer = EmbeddedConsumer(engine: engine, group: group, topics: [topic], clientId: "wharf-consume",
                                                startAt: { if case .latest = start { return .latest } else { return .earliest } }())
                try await GroupConsumeLoop.run(consumer, limit: limit, emit: emit)
            } else {
                let partitions = partition.map { [$0] } ?? description.partitions.map(\.partition)
                for p in partitions {
                    var offset: Int64
                    switch start {
                    case .earliest: offset = try engine.listOffset(topic: topic, partition: p, .earliest)
                    case .latest: offset = try engine.listOffset(topic: topic, partition: p, .latest)
                    case .time(let t): offset = try engine.listOffset(topic: topic, partition: p, .timestamp(t))
                    case .offset(let o):
                        let (s, e) = try engine.offsets(topic: topic, partition: p)
                        guard o >= s, o <= e else {
                            throw WharfError.offsetOutOfRange(topic: topic, partition: p, offset: o, logStart: s, logEnd: e)
                        }
                        offset = o
                    }
                    let end = try engine.offsets(topic: topic, partition: p).logEnd
                    while printed < limit, offset < end {
                        let records = try engine.readRecords(topic: topic, partition: p, from: offset, maxRecords: Swift.min(1000, limit - printed))
                        if records.isEmpty { break }
                        for r in records { emit(ConsumedRecord(topic: topic, partition: p, record: r)) }
                        printed += records.count
                        offset = records.last!.offset + 1
                    }
                }
            }
            fflush(nil)
        }
    }

    func emit(_ r: ConsumedRecord) {
        switch format {
        case .text:
            print(printKey ? "\(Output.text(r.record.key))\t\(Output.text(r.record.value))" : Output.text(r.record.value))
        case .json:
            struct Header: Encodable { let key: String; let value: JSONBytes }
            struct Line: Encodable {
                let topic: String; let partition: Int32; let offset: Int64; let timestamp: Int64
                let key: JSONBytes; let value: JSONBytes; let headers: [Header]
            }
            try? Output.json(Line(topic: r.topic, partition: r.partition, offset: r.record.offset, timestamp: r.record.timestamp,
                                  key: JSONBytes(bytes: r.record.key), value: JSONBytes(bytes: r.record.value),
                                  headers: r.record.headers.map { Header(key: $0.key, value: JSONBytes(bytes: $0.value)) }))
        }
    }
}
