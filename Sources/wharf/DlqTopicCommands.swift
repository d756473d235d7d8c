import ArgumentParser
import Foundation
import WharfCore
import WharfEngine
import WharfKafkaClient
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
        try await EngineSession.with(data) { engine in
            let now = engine.clock.nowMillis()
            return engine.deadLetterTopics().map { summaryJSON($0, nowMs: now) }
        }
    }

    /// Over `--bootstrap`: every topic of the cluster looked at with the engine's rules.
    static func summaries(client: KafkaClient) async throws -> [SummaryJSON] {
        let names = try await client.refreshMetadata().topics.map(\.name)
        let now = SystemClock().nowMillis()
        return try await ClusterDeadLetters.summaries(client, topics: names).map { summaryJSON($0, nowMs: now) }
    }

    static func summaryJSON(_ s: DeadLetterTopicSummary, nowMs: Int64) -> SummaryJSON {
        SummaryJSON(name: s.topic, convention: s.convention.rawValue, count: s.count,
                    oldestMessageAgeMillis: s.oldestTimestamp.map { max(0, nowMs - $0) }, originalTopics: s.originalTopics,
                    topReasons: s.topReasons.map { .init(reason: $0.reason, count: $0.count) })
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
        let rows = try await EngineSession.with(data) { engine -> [RecordJSON] in
            try engine.describeTopic(topic).partitions.flatMap { p in
                try engine.readRecords(topic: topic, partition: p.partition, from: p.logStartOffset, maxRecords: max).map { recordJSON(p.partition, $0) }
            }
        }
        try printPeek(rows, json: json)
    }

    /// Over `--bootstrap`: the same rows, read with Fetch.
    static func peek(_ topic: String, client: KafkaClient, max: Int, json: Bool) async throws {
        // The embedded peek reads up to `max` per partition; so does this.
        var rows: [RecordJSON] = []
        for tp in try await ClusterDeadLetters.partitions(client, topic) {
            let bounds = try await client.logOffsets([tp])[tp] ?? (0, 0)
            let read = try await ClusterDeadLetters.read(client, from: [tp: bounds.start], until: [tp: bounds.end], max: max)
            rows += (read[tp] ?? []).map { recordJSON(tp.partition, $0) }
        }
        try printPeek(rows, json: json)
    }

    static func recordJSON(_ partition: Int32, _ r: StoredRecord) -> RecordJSON {
        let o = DeadLetterHeaders.parse(r.headers)
        return RecordJSON(partition: partition, offset: r.offset, timestamp: TimeParsing.iso(r.timestamp),
                          key: r.key.map { Output.text($0) }, originalTopic: o?.topic, originalPartition: o?.partition,
                          originalOffset: o?.offset, deadLetterReason: o?.reason, exceptionClass: o?.exceptionClass,
                          headers: Dictionary(r.headers.map { ($0.key, Output.text($0.value ?? [])) }, uniquingKeysWith: { a, _ in a }),
                          body: Output.text(r.value ?? []))
    }

    static func printPeek(_ rows: [RecordJSON], json: Bool) throws {
        if json { return try Output.json(rows) }
        if rows.isEmpty { return print("no records") }
        Output.table(["PARTITION", "OFFSET", "TIMESTAMP", "ORIGINAL", "REASON", "BODY"], rows.map { r in
            let original = r.originalTopic.map { "\($0)/\(r.originalPartition.map(String.init) ?? "?")@\(r.originalOffset.map(String.init) ?? "?")" }
            return ["\(r.partition)", "\(r.offset)", r.timestamp, original ?? "-", r.deadLetterReason ?? "", String(r.body.prefix(60))]
        }, rightAligned: [0, 1])
    }

    static func requeue(_ topic: String, data: DataOptions, fsync: FsyncPolicy, offsets: [Int64], all: Bool, reason: String?,
                        contains: String?, to: String?, dryRun: Bool, json: Bool) async throws {
        let selection = try selection(offsets: offsets, all: all, reason: reason, contains: contains)
        let r = try await EngineSession.with(data, fsync: fsync) { try await $0.requeueDeadLetters(topic: topic, selection: selection, to: to, dryRun: dryRun) }
        try printRequeue(r, topic: topic, dryRun: dryRun, json: json)
    }

    /// Over `--bootstrap`: produced to the original topics, progress in `__wharf-requeue.<topic>`.
    static func requeue(_ topic: String, client: KafkaClient, offsets: [Int64], all: Bool, reason: String?,
                        contains: String?, to: String?, dryRun: Bool, json: Bool) async throws {
        let selection = try selection(offsets: offsets, all: all, reason: reason, contains: contains)
        let r = try await ClusterDeadLetters.requeue(client, topic: topic, selection: selection, to: to, dryRun: dryRun)
        try printRequeue(r, topic: topic, dryRun: dryRun, json: json)
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

    static func printRequeue(_ r: DeadLetterRequeueResult, topic: String, dryRun: Bool, json: Bool) throws {
        if json {
            struct J: Encodable { let source: String; let dryRun: Bool; let count: Int; let targets: [String: Int]; let offsets: [Int64]; let withoutTarget: [Int64] }
            return try Output.json(J(source: topic, dryRun: dryRun, count: r.moves.count, targets: r.byTarget, offsets: r.moves.map { $0.offset },
                                     withoutTarget: r.withoutTarget))
        }
        let targets = r.byTarget.sorted { $0.key < $1.key }.map { "\($0.value) to \($0.key)" }.joined(separator: ", ")
        print("\(dryRun ? "would requeue" : "requeued") \(r.moves.count) record\(r.moves.count == 1 ? "" : "s") from \(topic)"
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

    /// Over `--bootstrap`: DeleteRecords to every partition's end.
    static func purge(_ topic: String, client: KafkaClient, yes: Bool) async throws {
        let n = try await yes ? ClusterDeadLetters.purge(client, topic: topic) : ClusterDeadLetters.retained(client, topic: topic)
        try printPurge(n, topic: topic, yes: yes)
    }

    static func printPurge(_ n: Int64, topic: String, yes: Bool) throws {
        if !yes {
            print("would purge \(n) record\(n == 1 ? "" : "s") from dead-letter topic \(topic); add --yes to do it")
            throw ExitCode(2)
        }
        print("purged \(n) record\(n == 1 ? "" : "s") from dead-letter topic \(topic) (records of a topic cannot be restored)")
    }
}
