import ArgumentParser
import Foundation
import WharfCore
import WharfEngine

struct GroupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Inspect consumer groups, their lag, and reset (replay) their offsets.",
        subcommands: [List.self, Describe.self, Reset.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List consumer groups with their state and total lag.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption

        func run() async throws {
            struct Row: Encodable { let group: String; let state: String; let members: Int; let totalLag: Int64 }
            let rows = try await EngineSession.with(data) { engine -> [Row] in
                var rows: [Row] = []
                for g in await engine.listGroups() {
                    let lag = try? await engine.groupLag(g.groupId)
                    rows.append(Row(group: g.groupId, state: lag?.state ?? g.state.rawValue, members: lag?.members ?? 0, totalLag: lag?.totalLag ?? 0))
                }
                return rows
            }
            if output.json { return try Output.json(rows) }
            if rows.isEmpty { return print("no consumer groups") }
            Output.table(["GROUP", "STATE", "MEMBERS", "LAG"], rows.map { [$0.group, $0.state, "\($0.members)", "\($0.totalLag)"] }, rightAligned: [2, 3])
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a group's committed offsets, lag and time lag per partition.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @Argument var group: String

        func run() async throws {
            let lag = try await EngineSession.with(data) { try await $0.groupLag(group) }
            if output.json {
                struct P: Encodable {
                    let topic: String; let partition: Int32; let committedOffset: Int64?; let logStartOffset: Int64
                    let logEndOffset: Int64; let lag: Int64; let timeLagMs: Int64; let owner: String?
                }
                struct G: Encodable { let group: String; let state: String; let members: Int; let totalLag: Int64; let partitions: [P] }
                return try Output.json(G(group: lag.group, state: lag.state, members: lag.members, totalLag: lag.totalLag,
                                         partitions: lag.partitions.map { P(topic: $0.topic, partition: $0.partition, committedOffset: $0.committedOffset,
                                                                            logStartOffset: $0.logStartOffset, logEndOffset: $0.logEndOffset,
                                                                            lag: $0.lag, timeLagMs: $0.timeLagMs, owner: $0.owner) }))
            }
            print("group \(lag.group): \(lag.state), \(lag.members) member\(lag.members == 1 ? "" : "s"), total lag \(lag.totalLag)")
            Output.table(["TOPIC", "PARTITION", "COMMITTED", "LOG END", "LAG", "TIME LAG", "OWNER"],
                         lag.partitions.map {
                             [$0.topic, "\($0.partition)", $0.committedOffset.map(String.init) ?? "-", "\($0.logEndOffset)",
                              "\($0.lag)", Output.duration(ms: $0.timeLagMs), $0.owner ?? "-"]
                         }, rightAligned: [1, 2, 3, 4, 5])
            if lag.partitions.contains(where: { !$0.hasCommit }) {
                print("('-' = no committed offset yet: lag is counted from the log start)")
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reset (replay) a group's offsets. A dry run unless --execute.",
            discussion: """
                Prints, per partition, the current committed offset, the new one, and how many records \
                the group will read again. With --execute the reset is applied, even while the group \
                has live members: their generation is fenced, they rejoin and resume from the new \
                offsets, and a commit from the old generation is rejected.
                """)
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @OptionGroup var output: JSONOption
        @Argument(help: "The consumer group (it need not exist yet).") var group: String
        @Option(help: ArgumentHelp("The topic, optionally with partitions: TOPIC or TOPIC:0,2.", valueName: "topic[:p,p]")) var topic: String
        @Flag(name: .customLong("to-earliest"), help: "To the log start: re-read everything retained.") var toEarliest = false
        @Flag(name: .customLong("to-latest"), help: "To the log end: skip everything not yet read.") var toLatest = false
        @Option(name: .customLong("to-offset"), help: "To this offset (clamped into each partition's range).") var toOffset: Int64?
        @Option(name: .customLong("to-datetime"), help: "ISO-8601 time, e.g. 2026-11-26T10:00:00Z (UTC when no zone).") var toDatetime: String?
        @Option(name: .customLong("shift-by"), parsing: .unconditional, help: "Move by N records (negative: back).") var shiftBy: Int64?
        @Option(name: .customLong("by-duration"), help: "Back to now minus an ISO-8601 duration, e.g. PT1H or P1D.") var byDuration: String?
        @Flag(help: "Apply the reset (without it, only show what would change).") var execute = false

        func spec() throws -> OffsetResetSpec {
            var specs: [OffsetResetSpec] = []
            if toEarliest { specs.append(.earliest) }
            if toLatest { specs.append(.latest) }
            if let toOffset {
                guard toOffset >= 0 else { throw ValidationError("--to-offset must be 0 or more") }
                specs.append(.offset(toOffset))
            }
            if let toDatetime {
                guard let t = TimeParsing.dateTimeMillis(toDatetime) else { throw ValidationError("--to-datetime '\(toDatetime)' is not an ISO-8601 time (e.g. 2026-11-26T10:00:00Z)") }
                specs.append(.datetime(t))
            }
            if let shiftBy { specs.append(.shiftBy(shiftBy)) }
            if let byDuration {
                guard let d = TimeParsing.durationMillis(byDuration) else { throw ValidationError("--by-duration '\(byDuration)' is not an ISO-8601 duration (e.g. PT1H, P1DT12H)") }
                specs.append(.byDuration(d))
            }
            guard specs.count == 1 else {
                throw ValidationError("give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by, --by-duration")
            }
            return specs[0]
        }

        func validate() throws {
            _ = try spec()
            _ = try TopicPartitionsArgument(parsing: topic)
        }

        func run() async throws {
            let target = try TopicPartitionsArgument(parsing: topic)
            let policy = try fsync.policy()
            let (rows, fenced) = try await EngineSession.with(data, fsync: policy) { engine -> ([ResetPlanRow], Bool?) in
                let plan = try await engine.planReset(group: group, topic: target.topic, partitions: target.partitions, to: try spec())
                guard execute else { return (plan, nil) }
                let result = try await engine.executeReset(group: group, plan: plan)
                return (plan, result.fencedLiveMembers)
            }
            if output.json {
                struct R: Encodable { let group: String; let executed: Bool; let fencedLiveMembers: Bool?; let partitions: [ResetPlanRow] }
                return try Output.json(R(group: group, executed: execute, fencedLiveMembers: fenced, partitions: rows))
            }
            Output.table(["TOPIC", "PARTITION", "CURRENT", "NEW", "TO RE-READ"],
                         rows.map { [$0.topic, "\($0.partition)", $0.currentOffset.map(String.init) ?? "-", "\($0.newOffset)", "\($0.recordsToReread)"] },
                         rightAligned: [1, 2, 3, 4])
            if execute {
                print("reset applied to group \(group)" + (fenced == true ? "; live members were fenced and will resume from the new offsets" : ""))
            } else {
                print("dry run: nothing changed; add --execute to apply")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a group and its committed offsets (only when it has no members).")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @Argument var group: String

        func run() async throws {
            try await EngineSession.with(data, fsync: try fsync.policy()) { try await $0.deleteGroup(group) }
            print("deleted group \(group)")
        }
    }
}
