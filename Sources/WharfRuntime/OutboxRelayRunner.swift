import Foundation
import Logging
import WharfClusterSource
import WharfCore
import WharfEngine
import WharfOutbox

/// `wharf outbox relay`'s loop, the same into a data directory or a cluster: the relay runs (with
/// the engine's upkeep alongside when there is an engine) until SIGINT or SIGTERM, then finishes
/// the poll in flight. Returns the signal and the relay's totals, for the command's last line.
public enum OutboxRelayRunner {
    public static func run(_ relay: OutboxRelay, until stop: StopSignals, engine: Engine? = nil) async -> (signal: Int32, metrics: OutboxMetricsSnapshot?) {
        let relayTask = Task { await relay.run() }
        let upkeep = engine.map(EngineUpkeep.start)
        let signal = await stop.wait()
        relayTask.cancel()
        await relayTask.value
        await upkeep?.stop()
        return (signal, try? await relay.metrics())
    }

    /// `store`'s relay into `location`: the data directory's topics (the engine kept up while it
    /// runs), or a cluster's with Produce (acks=all, the partition a Kafka producer would pick
    /// for the aggregate id). `partitions`: of the topics it creates (default: the engine's, or
    /// the broker's). `started` is called once the destination is open; a cluster that cannot
    /// be reached at all fails before, in one line.
    public static func run(_ store: any OutboxStore, into location: SourceLocation, config: OutboxRelayConfig, partitions: Int32?,
                           until stop: StopSignals, started: () -> Void) async throws -> (signal: Int32, metrics: OutboxMetricsSnapshot?) {
        func relay(_ publisher: any OutboxPublisher) -> OutboxRelay {
            OutboxRelay(store: store, publisher: publisher, config: config, logger: Logger(label: "wharf.outbox"))
        }
        switch location {
        case .dataDirectory(let directory, let fsync):
            return try await DataDirectorySession.engine(directory, fsync: fsync) { engine in
                started()
                return await run(relay(EngineOutboxPublisher(engine: engine, partitions: partitions)), until: stop, engine: engine)
            }
        case .cluster(let configuration):
            return try await ClusterSession.with(configuration) { client in
                _ = try await client.refreshMetadata()
                started()
                return await run(relay(KafkaOutboxPublisher(client: client, partitions: partitions, clock: SystemClock())), until: stop)
            }
        }
    }
}
