import ArgumentParser
import Foundation
import WharfCore
import WharfEvents
import WharfProjections

struct ProjectionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projection", abstract: "Projections (read models folded from event streams): list, describe, rebuild.",
        subcommands: [List.self, Describe.self, Rebuild.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Registered projections with state, checkpoint and lag.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption

        func run() async throws {
            let all = try await EventSession.with(data) { ProjectionRegistry(dataDirectory: data.directory).statuses(store: $0) }
            if output.json { return try Output.json(all.map(ProjectionStatusReport.init)) }
            if all.isEmpty { return print("no projections") }
            Output.table(["PROJECTION", "SOURCE", "STATE", "CHECKPOINT", "PROCESSED", "LAG", "LAG S"], all.map {
                [$0.name, $0.source.description, $0.stateName, $0.cursor.position.map(String.init) ?? "-", "\($0.cursor.processed)",
                 "\($0.lag.events)", String(format: "%.1f", $0.lag.seconds)]
            }, rightAligned: [3, 4, 5, 6])
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One projection: database, source, state, checkpoint, lag, rebuild.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @Argument var name: String

        func run() async throws {
            let status = try await EventSession.with(data) { ProjectionRegistry(dataDirectory: data.directory).status(named: name, store: $0) }
            guard let s = status else { throw WharfError.invalidArgument("no projection named '\(name)' (see wharf projection list)") }
            if output.json { return try Output.json(ProjectionStatusReport(s)) }
            print("\(s.name): \(s.stateName)\(s.state.faultMessage.map { " (\($0))" } ?? "")")
            print("  source      \(s.source)")
            print("  database    \(s.databasePath)")
            print("  checkpoint  \(s.cursor.position.map { "position \($0)" } ?? "none"), \(s.cursor.processed) of \(Output.count(s.head, "event")) applied")
            print("  lag         \(Output.count(s.lag.events, "event")), \(String(format: "%.1f", s.lag.seconds)) s")
            if let r = s.rebuild { print("  rebuild     \(r.done)/\(r.total) (\(Int(r.fraction * 100))%)") }
            if s.rebuildRequested { print("  rebuild     requested; runs when its application next opens it") }
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drop a projection's read model and replay its source from the start (dangerous: needs --yes).",
            discussion: """
                A projection the wharf binary knows (the demo's balances) is rebuilt here, with progress. \
                For one defined by an application, the rebuild is requested in its database and runs when \
                the application next opens the projection.
                """)
        @OptionGroup var data: DataOptions
        @Argument var name: String
        @Flag(help: "Confirm: the read model is emptied and rebuilt.") var yes = false

        func run() async throws {
            try await EventSession.with(data) { store in
                let registry = ProjectionRegistry(dataDirectory: data.directory)
                guard let entry = registry.registration(named: name), let before = registry.status(named: name, store: store) else {
                    throw WharfError.invalidArgument("no projection named '\(name)' (see wharf projection list)")
                }
                let plan = "rebuild \(name): empty its read model in \(entry.database) and replay \(Output.count(before.head, "event")) of \(before.source) (checkpoint \(before.cursor.processed) -> 0)"
                guard yes else { throw WharfError.invalidArgument("\(plan); add --yes to do it") }
                if registry.isBuiltIn(named: name) { print(plan) }
                let rebuilt = try await registry.rebuild(named: name, store: store) { s, percent in
                    print("rebuilding \(name): \(s.cursor.processed)/\(Output.count(s.rebuild?.total ?? s.head, "event")) (\(percent)%)")
                    fflush(nil)
                }
                guard let rebuilt else {
                    return print("rebuild of \(name) requested: its application resets and replays it when it next opens the projection")
                }
                print("rebuilt \(name): \(Output.count(rebuilt.cursor.processed, "event")) applied")
            }
        }
    }
}
