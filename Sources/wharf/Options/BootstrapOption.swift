import ArgumentParser
import Foundation
import WharfKafkaClient
import WharfRuntime
import WharfStorage

/// `--bootstrap HOST:PORT[,HOST:PORT]`: run the command against a Kafka-protocol cluster (another
/// machine's `wharf serve`, Apache Kafka...) instead of opening a data directory, and
/// `--command-config FILE`: how to reach it (TLS, SASL), as a Kafka client properties file.
struct BootstrapOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Talk to a Kafka-protocol cluster at these addresses instead of opening a data directory.",
                                            valueName: "host:port[,host:port]"))
    var bootstrap: String?

    @Option(name: .customLong("command-config"), help: ArgumentHelp(
        "With --bootstrap: a Kafka client properties file (security.protocol, sasl.mechanism, sasl.jaas.config or sasl.username/sasl.password, ssl.ca.location, ssl.certificate.location, ssl.key.location...), as kafka-consumer-groups and librdkafka take it.",
        valueName: "file"))
    var commandConfig: String?

    /// The client settings for the cluster, or nil when the command runs on the embedded engine.
    /// Keys of the properties file that Wharf does not use are named once, on stderr.
    func clientConfiguration() throws -> KafkaClient.Configuration? {
        guard let addresses = try addresses() else { return nil }
        return KafkaClient.Configuration(bootstrap: addresses, security: try security(warn: true))
    }

    /// Where the command's data is, for the library to open (`SourceLocation`, the one place
    /// that picks the engine or the cluster): the cluster at `--bootstrap`, else the data
    /// directory, whose engine writes with `fsync` (read only then, as the commands always did).
    func location(_ data: DataOptions, fsync: FsyncOptions? = nil) throws -> SourceLocation {
        try location(data) { try fsync?.policy() ?? .interval(milliseconds: 1000) }
    }

    /// The same, with the engine's policy from `policy` (`wharf outbox relay` has its own default).
    func location(_ data: DataOptions, policy: () throws -> FsyncPolicy) throws -> SourceLocation {
        guard let configuration = try clientConfiguration() else { return .dataDirectory(data.directory, fsync: try policy()) }
        return .cluster(configuration)
    }

    /// `--data` and `--bootstrap` name two different sources: refuse rather than pick one silently.
    func validate(with data: DataOptions) throws {
        if bootstrap != nil, data.data != nil {
            throw ValidationError("give either --data (a local data directory) or --bootstrap (a Kafka cluster), not both")
        }
        try validateConnection()
    }

    /// The addresses and the properties file are usable (for commands with no data directory).
    func validateConnection() throws {
        if commandConfig != nil, bootstrap == nil {
            throw ValidationError("--command-config configures the connection to a --bootstrap cluster; give --bootstrap too")
        }
        _ = try addresses()
        _ = try security(warn: false)
    }

    private func addresses() throws -> [BootstrapAddress]? {
        guard let bootstrap else { return nil }
        switch BootstrapAddress.parseList(bootstrap) {
        case .success(let list): return list
        case .failure(let e): throw ValidationError(e.message)
        }
    }

    /// An unusable file is one line and exit 64 (EX_USAGE), without the usage text: the command
    /// line was right, the file is not.
    private func security(warn: Bool) throws -> ClientSecurity {
        guard let commandConfig else { return .plaintext }
        do {
            let loaded = try ClientSecurity.load(propertiesFile: commandConfig)
            if warn, !loaded.ignoredKeys.isEmpty {
                FileHandle.standardError.write(Data(("warning: --command-config \(commandConfig): ignoring "
                    + loaded.ignoredKeys.joined(separator: ", ") + " (not used by wharf)\n").utf8))
            }
            return loaded.security
        } catch {
            FileHandle.standardError.write(Data("Error: --command-config \(error.message)\n".utf8))
            throw ExitCode(64)
        }
    }
}
