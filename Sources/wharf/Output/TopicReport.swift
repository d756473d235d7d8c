import WharfAdmin
import WharfEngine

/// How `topic list` and `topic describe` print, whatever the source (embedded engine or a
/// cluster over `--bootstrap`): one function each, so both outputs stay identical.
enum TopicReport {
    static func list(_ all: [TopicDescription], json: Bool) throws {
        if json { return try Output.json(all) }
        if all.isEmpty { return print("no topics (create one with: wharf topic create NAME)") }
        Output.table(["TOPIC", "PARTITIONS", "RECORDS", "SIZE", "RETENTION"],
                     all.map { [$0.name, "\($0.partitions.count)", "\($0.records)", size($0), Output.retention(ms: $0.retentionMs)] },
                     rightAligned: [1, 2, 3])
    }

    static func describe(_ d: TopicDescription, json: Bool) throws {
        if json { return try Output.json(d) }
        print("topic \(d.name): \(Output.count(d.partitions.count, "partition")), \(Output.count(d.records, "record")), \(size(d)), retention \(Output.retention(ms: d.retentionMs))\(d.retentionBytes >= 0 ? " or \(Output.bytes(d.retentionBytes))" : "")")
        Output.table(["PARTITION", "LOG START", "LOG END", "RECORDS", "SIZE", "SEGMENTS"],
                     d.partitions.map {
                         ["\($0.partition)", "\($0.logStartOffset)", "\($0.logEndOffset)", "\($0.logEndOffset - $0.logStartOffset)",
                          $0.sizeBytes < 0 ? "-" : Output.bytes($0.sizeBytes), $0.segments < 0 ? "-" : "\($0.segments)"]
                     },
                     rightAligned: [0, 1, 2, 3, 4, 5])
    }

    /// '-' when the source cannot know sizes (a cluster whose brokers refuse DescribeLogDirs).
    static func size(_ d: TopicDescription) -> String {
        d.partitions.contains { $0.sizeBytes < 0 } ? "-" : Output.bytes(d.sizeBytes)
    }
}
