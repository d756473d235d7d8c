import ArgumentParser
import Foundation
// What the commands run (dashboard runners, metrics endpoint, stop signals, the consume and
// receive loops) is the WharfRuntime library; exported once here, so every command sees it as
// part of the command line without an import of its own.
@_exported import WharfRuntime

@main
struct WharfCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wharf",
        abstract: "A terminal dashboard with an embedded event broker.",
        discussion: """
            Every command works on the data directory given by --data, or $WHARF_DATA, or \
            $XDG_DATA_HOME/wharf (~/.local/share/wharf when XDG_DATA_HOME is unset).
            Only one wharf process may use a data directory at a time.
            """,
        version: WharfVersion.string,
        // One command a line, so that adding a command is a one-line change.
        subcommands: [
            DashboardCommand.self,
            DemoCommand.self,
            ServeCommand.self,
            TopicCommand.self,
            BrokerCommand.self,
            ProduceCommand.self,
            ConsumeCommand.self,
            GroupCommand.self,
            TxnCommand.self,
            RecordsCommand.self,
            QueueCommand.self,
            DlqCommand.self,
            OutboxCommand.self,
            EventsCommand.self,
            SubscriptionCommand.self,
            ProjectionCommand.self,
            BenchCommand.self,
            UserCommand.self,
            AclCommand.self,
            AuditCommand.self,
            TraceCommand.self,
            ServiceBusCommand.self,
            ExporterCommand.self,
        ],
        defaultSubcommand: DashboardCommand.self)

    static func main() async {
        LoggingBootstrap.run()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

enum WharfVersion {
    static let string = "0.1.0"
}
