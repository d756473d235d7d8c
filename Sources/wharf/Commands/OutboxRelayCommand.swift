import ArgumentParser
import Foundation
import WharfCore
import WharfOutbox
import WharfStorage

/// `wharf outbox relay`: publishes the outbox into the data directory's topics (or, with
/// `--bootstrap`, a Kafka-protocol cluster's) until SIGINT or SIGTERM, then finishes the poll in
/// flight, closes the engine or the connections cleanly and exits 0.
struct OutboxRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Publish outbox rows into topics until interrupted (SIGINT/SIGTERM stop it cleanly).",
        discussion: """
            At least once: a row is marked published only after the broker acknowledged its append, \
            so a crash in between publishes it again (consumers drop duplicates with an inbox). \
            A failing row is retried with exponential back-off and becomes dead after \
            --max-attempts; it holds back later rows of its own aggregate only. \
            On SQLite run one relay per database file; on PostgreSQL several relays are safe. \
            With --bootstrap the rows go to a Kafka cluster (acks=all, the partition a Kafka producer \
            would pick for the aggregate id).
            """)

    @OptionGroup var database: OutboxDatabaseOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var cluster: BootstrapOption
    @Option(name: .long, help: ArgumentHelp("Durability of the appends the relay waits for, as for other commands; 'always' by default so a row marked published survives a crash.", valueName: "policy"))
    var fsync: String = "always"
    @Option(name: .customLong("batch-size"), help: "Rows claimed per poll.") var batchSize: Int = 100
    @Option(name: .customLong("max-attempts"), help: "Failures after which a row is dead.") var maxAttempts: Int = 10
    @Option(name: .customLong("poll-interval-ms"), help: "Wait between polls when the outbox is drained.") var pollIntervalMs: Int64 = 200
    @Option(name: .customLong("retention-ms"), help: "Delete published rows this long after publication (-1: keep).")
    var retentionMs: Int64 = 24 * 3_600_000
    @Option(name: .long, help: "Partitions of topics the relay creates (default: the engine's, or the broker's with --bootstrap).") var partitions: Int32?

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard pollIntervalMs >= 1 else { throw ValidationError("--poll-interval-ms must be at least 1") }
        guard retentionMs >= -1 else { throw ValidationError("--retention-ms must be -1 or more") }
        _ = try database.url()
        try cluster.validate(with: data)
    }

    var relayConfig: OutboxRelayConfig {
        var config = OutboxRelayConfig()
        config.batchSize = batchSize
        config.maxAttempts = maxAttempts
        config.pollIntervalMs = pollIntervalMs
        config.retentionMs = retentionMs
        return config
    }

    func run() async throws {
        let policy: FsyncPolicy
        do { policy = try FsyncPolicy(parsing: fsync) } catch { throw ValidationError(error.description) }
        // Signals first, so a SIGTERM that arrives while the database opens still stops cleanly.
        let stop = StopSignals()
        try await database.with { store in
            let location = try cluster.location(data) { policy }
            let stopped = try await OutboxRelayRunner.run(store, into: location, config: relayConfig, partitions: partitions, until: stop) {
                print("relaying \(store.databaseName)/\(store.table) into \(location.description) (stop with Ctrl-C or SIGTERM)")
                fflush(nil)
            }
            let m = stopped.metrics
            print("stopped on \(stopped.signal == SIGTERM ? "SIGTERM" : "SIGINT"): published \(m?.publishedTotal ?? 0), failed attempts \(m?.failuresTotal ?? 0)")
        }
    }
}
