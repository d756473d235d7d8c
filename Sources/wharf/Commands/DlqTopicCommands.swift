import ArgumentParser
import Foundation
import WharfAdmin
import WharfCore
import WharfEngine
import WharfStorage

/// `wharf dlq` on dead-letter *topics* (Kafka side): an ENTITY naming an existing topic is
/// handled here; anything else is a queue's dead-letter queue (DlqCommand).
enum DlqTopics {
    static func isTopic(_ entity: String, data: DataOptions) async throws -> Bool {
        try await EngineSession.with(data) { $0.listTopics().contains(entity) }
    }

    struct SummaryJSON: Encodable {
        let name: String
        let kind = "topic"
        let convention: String
        let count: Int64
        let oldestMessageAgeMillis: Int64?
        let originalTopics: [String]
        let topReasons: [Reason]
        struct Reason: Encodable { let reason: String; let count: Int }
    }

    static func summaries(data: DataOptions) async throws -> [SummaryJSON] {
        try await EngineSession.with(data) { engine in json(engine.deadLetterTopics(), now: engine.clock.nowMillis()) }
    }

    static func json(_ summaries: [DeadLetterTopicSummary], now: Int64) -> [SummaryJSON] {
        summaries.map {
            SummaryJSON(name: $0.topic, convention: $0.convention.rawValue, count: $0.count,
                        oldestMessageAgeMillis: $0.oldestTimestamp.map { max(0, now - $0) }, originalTopics: $0.originalTopics,
                        topReasons: $0.topReasons.map { .init(reason: $0.reason, count: $0.count) })
        }
    }

    struct RecordJSON: Encodable {
        let partition: Int32
        let offset: Int64
        let timestamp: String
        let key: String?
        let originalTopic: String?
        let originalPartition: Int32?
        let originalOffset: Int64?
        let deadLetterReason: String?
        let exceptionClass: String?
        let headers: [String: String]
        let body: String
    }

    static func peek(_ topic: String, data: DataOptions, max: Int, json: Bool) async throws {
        let records = try await EngineSession.with(data) { engine -> [(partition: Int32, record: StoredRecord)] in
            try engine.describeTopic(topic).partitions.flatMap { p in
                try engine.readRecords(topic: topic, partition: p.partition, from: p.logStartOffset, maxRecords: max).map { (p.partition, $0) }
            }
        }
        try printPeek(records, json: json)
    }

    /// `dlq peek` output, the same for the embedded engine and a cluster.
    static func printPeek(_ records: [(partition: Int32, record: StoredRecord)], json: Bool) throws {
        let rows = records.map { (partition, r) in
            let o = DeadLetterHeaders.parse(r.headers)
            return RecordJSON(partition: partition, offset: r.offset, timestamp: TimeParsing.iso(r.timestamp),
                              key: r.key.map { Output.text($0) }, originalTopic: o?.topic, originalPartition: o?.partition,
                              originalOffset: o?.offset, deadLetterReason: o?.reason, exceptionClass: o?.exceptionClass,
                              headers: Dictionary(r.headers.map { ($0.key, Output.text($0.value ?? [])) }, uniquingKeysWith: { a, _ in a }),
                              body: Output.text(r.value ?? []))
        }
        if json { return try Output.json(rows) }
        if rows.isEmpty { return print("no records") }
        Output.table(["PARTITION", "OFFSET", "TIMESTAMP", "ORIGINAL", "REASON", "BODY"], rows.map { r in
            let original = r.originalTopic.map { "\($0)/\(r.originalPartition.map(String.init) ?? "?")@\(r.originalOffset.map(String.init) ?? "?")" }
            return ["\(r.partition)", "\(r.offset)", r.timestamp, original ?? "-", r.deadLetterReason ?? "", String(r.body.prefix(60))]
        }, rightAligned: [0, 1])
    }

    static func selection(offsets: [Int64], all: Bool, reason: String?, contains: String?) throws -> DeadLetterTopicSelection {
        var chosen: [DeadLetterTopicSelection] = []
        if !offsets.isEmpty { chosen.append(.offsets(Set(offsets))) }
        if all { chosen.append(.all) }
        if let reason { chosen.append(.reason(reason)) }
        if let contains { chosen.append(.contains(contains)) }
        guard chosen.count == 1 else { throw ValidationError("give exactly one of --offset N..., --all, --reason R, --contains TEXT") }
        return chosen[0]
    }

    static func requeue(_ topic: String, data: DataOptions, fsync: FsyncPolicy, offsets: [Int64], all: Bool, reason: String?,
                        contains: String?, to: String?, dryRun: Bool, json: Bool) async throws {
        let chosen = try selection(offsets: offsets, all: all, reason: reason, contains: contains)
        let r = try await EngineSession.with(data, fsync: fsync) { try await $0.requeueDeadLetters(topic: topic, selection: chosen, to: to, dryRun: dryRun) }
        try printRequeue(r, topic: topic, json: json)
    }

    static func printRequeue(_ r: DeadLetterRequeueResult, topic: String, json: Bool) throws {
        let dryRun = r.dryRun
        if json {
            struct J: Encodable { let source: String; let dryRun: Bool; let count: Int; let targets: [String: Int]; let offsets: [Int64]; let withoutTarget: [Int64] }
            return try Output.json(J(source: topic, dryRun: dryRun, count: r.moves.count, targets: r.byTarget, offsets: r.moves.map { $0.offset },
                                     withoutTarget: r.withoutTarget))
        }
        let targets = r.byTarget.sorted { $0.key < $1.key }.map { "\($0.value) to \($0.key)" }.joined(separator: ", ")
        print("\(dryRun ? "would requeue" : "requeued") \(Output.count(r.moves.count, "record")) from \(topic)"
              + (targets.isEmpty ? "" : " (\(targets))")
              + (r.withoutTarget.isEmpty ? "" : "; no original topic for offset(s) \(r.withoutTarget.map(String.init).joined(separator: ",")): use --to"))
    }

    /// Purge = DeleteRecords up to the end of every partition.
    static func purge(_ topic: String, data: DataOptions, fsync: FsyncPolicy, yes: Bool) async throws {
        let n = try await EngineSession.with(data, fsync: fsync) { engine -> Int64 in
            try yes ? engine.purgeTopic(topic) : engine.retainedRecords(topic: topic)
        }
        try printPurge(n, topic: topic, yes: yes)
    }

    static func printPurge(_ n: Int64, topic: String, yes: Bool) throws {
        if !yes {
            print("would purge \(Output.count(n, "record")) from dead-letter topic \(topic); add --yes to do it")
            throw ExitCode(2)
        }
        print("purged \(Output.count(n, "record")) from dead-letter topic \(topic) (records of a topic cannot be restored)")
    }
}
