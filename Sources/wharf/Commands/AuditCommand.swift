import ArgumentParser
import Foundation
import WharfCore
import WharfEngine
import WharfStorage

/// `wharf audit [--since DURATION] [--action A] [--json]` lists the changes recorded in
/// `<data>/audit.log` (who, what, before and after); `wharf audit undo ID` reverses an offset
/// reset recorded there, whichever process made it.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List the changes made to a data directory (the audit log), or undo a recorded offset reset.",
        subcommands: [List.self, Undo.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List recorded changes, oldest first.",
            discussion: "Reads <data>/audit.log without taking the data directory's lock: it works while 'wharf serve' runs.")
        @OptionGroup var data: DataOptions
        @Option(help: ArgumentHelp("Only changes newer than this ISO-8601 duration (PT1H, P1D) or short form (90m, 2d).",
                                   valueName: "duration"))
        var since: String?
        @Option(help: ArgumentHelp("Only this action, or every action under a prefix: group.reset-offsets, topic, queue.",
                                   valueName: "action"))
        var action: String?
        @OptionGroup var output: JSONOption

        func run() async throws {
            var cutoff: Int64?
            if let since {
                guard let ms = TimeParsing.durationMillis(since) else {
                    throw ValidationError("--since '\(since)' is not a duration (e.g. PT1H, P1D, 90m)")
                }
                cutoff = OffsetMath.subtract(SystemClock().nowMillis(), ms)
            }
            let (entries, recorded, skipped) = try AuditLog(dataDirectory: data.directory).read(since: cutoff, action: action)
            if skipped > 0 {
                FileHandle.standardError.write(Data("warning: \(skipped) line(s) of the audit log are not entries (a write a crash cut short?)\n".utf8))
            }
            if output.json { return try Output.json(entries) }
            guard !entries.isEmpty else { return print(recorded == 0 ? "no changes recorded" : "no recorded change matches") }
            Output.table(["TIME", "ACTOR", "ACTION", "TARGET", "CHANGE", "RESULT", "ID"], entries.map { e in
                [e.time, Output.safe(e.actor.summary), Output.safe(e.action), Output.safe(e.target), Output.safe(e.changeSummary),
                 Output.safe(e.result), e.id]
            })
        }
    }

    struct Undo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put back the committed offsets an audited reset replaced (itself audited).")
        @OptionGroup var data: DataOptions
        @Argument(help: "The entry's id (the ID column of 'wharf audit').") var id: String
        @OptionGroup var output: JSONOption

        func run() async throws {
            let result = try await EngineSession.with(data) { engine in try await engine.undoReset(auditEntry: id) }
            if output.json { return try Output.json(result.rows) }
            Output.table(["TOPIC", "PARTITION", "FROM", "RESTORED"], result.rows.map { r in
                [Output.safe(r.topic), String(r.partition), r.currentOffset.map(String.init) ?? "-", String(r.newOffset)]
            }, rightAligned: [1, 2, 3])
            print("restored \(Output.count(result.rows.count, "partition")) of the group as entry \(id) found them")
        }
    }
}
