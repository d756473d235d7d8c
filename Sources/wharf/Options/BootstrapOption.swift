import ArgumentParser
import WharfKafkaClient

/// `--bootstrap HOST:PORT[,HOST:PORT]`: run the command against a Kafka-protocol cluster (another
/// machine's `wharf serve`, Apache Kafka...) instead of opening a data directory.
struct BootstrapOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Talk to a Kafka-protocol cluster at these addresses instead of opening a data directory.",
                                            valueName: "host:port[,host:port]"))
    var bootstrap: String?

    /// The parsed addresses, or nil when the command runs on the embedded engine.
    func addresses() throws -> [BootstrapAddress]? {
        guard let bootstrap else { return nil }
        switch BootstrapAddress.parseList(bootstrap) {
        case .success(let list): return list
        case .failure(let e): throw ValidationError(e.message)
        }
    }

    /// `--data` and `--bootstrap` name two different sources: refuse rather than pick one silently.
    func validate(with data: DataOptions) throws {
        if bootstrap != nil, data.data != nil {
            throw ValidationError("give either --data (a local data directory) or --bootstrap (a Kafka cluster), not both")
        }
        _ = try addresses()
    }
}
