import ArgumentParser
import Foundation
import WharfAdmin
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
        @OptionGroup var cluster: BootstrapOption
        @Flag(name: .customLong("internal"), help: "Also list Wharf's own bookkeeping groups (__wharf-requeue.<topic>: how far a dead-letter topic was requeued).")
        var includeInternal = false

        func validate() throws { try cluster.validate(with: data) }

        /// Wharf's bookkeeping groups are hidden unless asked for, as the dashboard hides them.
        func shown(_ rows: [GroupReport.Row]) -> [GroupReport.Row] {
            includeInternal ? rows : rows.filter { !InternalNames.isInternalGroup($0.group) }
        }

        func run() async throws {
            let rows = try await cluster.location(data).withSource { try await $0.groupSummaries() }
            try GroupReport.list(shown(rows), json: output.json)
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a group's committed offsets, lag and time lag per partition.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @Argument var group: String
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let lag = try await cluster.location(data).withSource { try await $0.groupLag(group) }
            try GroupReport.describe(lag, json: output.json)
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reset (replay) a group's offsets. A dry run unless --execute.",
            discussion: """
                Prints, per partition, the current committed offset, the new one, and how many records \
                the group will read again. With --execute the reset is applied, even while the group \
                has live members: their generation is fenced, they rejoin and resume from the new \
                offsets, and a commit from the old generation is rejected. With --bootstrap (a \
                remote cluster, which cannot be fenced from here) --execute is refused while the \
                group has live members, as kafka-consumer-groups does.
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

        @OptionGroup var cluster: BootstrapOption

        func validate() throws {
            _ = try spec()
            _ = try TopicPartitionsArgument(parsing: topic)
            try cluster.validate(with: data)
        }

        func run() async throws {
            let target = try TopicPartitionsArgument(parsing: topic)
            // Over --bootstrap a group with live members is refused (a remote cluster cannot be
            // fenced from here), so an executed reset there never fenced anyone.
            let (rows, fenced) = try await cluster.location(data, fsync: fsync).withSource { source -> ([ResetPlanRow], Bool?) in
                let plan = try await source.planReset(group: group, topic: target.topic, partitions: target.partitions, to: try spec())
                guard execute else { return (plan, nil) }
                return (plan, try await source.executeReset(group: group, plan: plan).fencedLiveMembers)
            }
            try GroupReport.reset(group: group, rows: rows, executed: execute, fenced: fenced, json: output.json)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a group and its committed offsets (only when it has no members).")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @Argument var group: String
        @OptionGroup var cluster: BootstrapOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            try await cluster.location(data, fsync: fsync).withSource { try await $0.deleteGroup(group) }
            print("deleted group \(group)")
        }
    }
}
