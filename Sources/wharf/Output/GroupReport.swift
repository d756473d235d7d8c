import WharfAdmin
import WharfClusterSource
import WharfEngine

/// How `group list` and `group describe` print, whatever the source (embedded engine or a
/// cluster over `--bootstrap`): one function each, so both outputs stay identical.
enum GroupReport {
    typealias Row = GroupSummary

    static func list(_ rows: [Row], json: Bool) throws {
        if json { return try Output.json(rows) }
        if rows.isEmpty { return print("no consumer groups") }
        Output.table(["GROUP", "STATE", "MEMBERS", "LAG"], rows.map { [$0.group, $0.state, "\($0.members)", "\($0.totalLag)"] }, rightAligned: [2, 3])
    }

    static func describe(_ lag: GroupLag, json: Bool) throws {
        if json { return try Output.json(GroupLagReport(lag)) }
        print("group \(Output.safe(lag.group)): \(lag.state), \(Output.count(lag.members, "member")), total lag \(lag.totalLag)")
        Output.table(["TOPIC", "PARTITION", "COMMITTED", "LOG END", "LAG", "TIME LAG", "OWNER"],
                     lag.partitions.map {
                         [$0.topic, "\($0.partition)", $0.committedOffset.map(String.init) ?? "-", "\($0.logEndOffset)",
                          "\($0.lag)", Output.duration(ms: $0.timeLagMs), $0.owner ?? "-"]
                     }, rightAligned: [1, 2, 3, 4, 5])
        if lag.partitions.contains(where: { !$0.hasCommit }) {
            print("('-' = no committed offset yet: lag is counted from the log start)")
        }
    }

    static func reset(group: String, rows: [ResetPlanRow], executed: Bool, fenced: Bool?, json: Bool) throws {
        if json { return try Output.json(ResetReport(group: group, rows: rows, executed: executed, fenced: fenced)) }
        Output.table(["TOPIC", "PARTITION", "CURRENT", "NEW", "TO RE-READ"],
                     rows.map { [$0.topic, "\($0.partition)", $0.currentOffset.map(String.init) ?? "-", "\($0.newOffset)", "\($0.recordsToReread)"] },
                     rightAligned: [1, 2, 3, 4])
        if executed {
            print("reset applied to group \(group)" + (fenced == true ? "; live members were fenced and will resume from the new offsets" : ""))
        } else {
            print("dry run: nothing changed; add --execute to apply")
        }
    }
}
