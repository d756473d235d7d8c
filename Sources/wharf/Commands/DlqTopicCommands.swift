import ArgumentParser
import Foundation
import WharfAdmin
import WharfCore

/// `wharf dlq` on dead-letter *topics* (Kafka side): an ENTITY naming a topic
/// (`SourceLocation.namesTopic`) is handled here; anything else is a queue's dead-letter queue
/// (DlqCommand). Over `--bootstrap` (a Kafka-protocol cluster) only dead-letter topics exist,
/// printed by the same functions; an entity that is not a topic of the cluster is refused with a
/// one-line error.
enum DlqTopics {
    /// The source of the dead-letter topic `topic`; on a cluster it must exist.
    static func withSource<T>(_ topic: String, data: DataOptions, cluster: BootstrapOption, fsync: FsyncOptions? = nil,
                              _ body: (any ClusterSource) async throws -> T) async throws -> T {
        try await cluster.location(data, fsync: fsync).withSource(requiringTopic: topic, body)
    }

    static func peek(_ topic: String, data: DataOptions, cluster: BootstrapOption, max: Int, json: Bool) async throws {
        try printPeek(try await withSource(topic, data: data, cluster: cluster) { try await $0.deadLetterRecords(topic: topic, max: max) }, json: json)
    }

    /// `dlq peek` output, the same for the embedded engine and a cluster.
    static func printPeek(_ records: [PartitionRecord], json: Bool) throws {
        let rows = records.map(DeadLetterRecordReport.init)
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

    static func requeue(_ topic: String, data: DataOptions, cluster: BootstrapOption, fsync: FsyncOptions, offsets: [Int64], all: Bool,
                        reason: String?, contains: String?, to: String?, dryRun: Bool, json: Bool) async throws {
        let chosen = try selection(offsets: offsets, all: all, reason: reason, contains: contains)
        let r = try await withSource(topic, data: data, cluster: cluster, fsync: fsync) {
            try await $0.requeueDeadLetters(topic: topic, selection: chosen, to: to, dryRun: dryRun)
        }
        try printRequeue(r, topic: topic, json: json)
    }

    static func printRequeue(_ r: DeadLetterRequeueResult, topic: String, json: Bool) throws {
        let dryRun = r.dryRun
        if json {
            return try Output.json(DeadLetterRequeueReport(r, topic: topic))
        }
        let targets = r.byTarget.sorted { $0.key < $1.key }.map { "\($0.value) to \($0.key)" }.joined(separator: ", ")
        print("\(dryRun ? "would requeue" : "requeued") \(Output.count(r.moves.count, "record")) from \(topic)"
              + (targets.isEmpty ? "" : " (\(targets))")
              + (r.withoutTarget.isEmpty ? "" : "; no original topic for offset(s) \(r.withoutTarget.map(String.init).joined(separator: ",")): use --to"))
    }

    /// Purge = DeleteRecords up to the end of every partition; without `yes`, only how many would go.
    static func purge(_ topic: String, data: DataOptions, cluster: BootstrapOption, fsync: FsyncOptions, yes: Bool) async throws {
        let n = try await withSource(topic, data: data, cluster: cluster, fsync: fsync) {
            try await yes ? $0.purgeTopic(topic) : $0.retainedRecords(topic: topic)
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
