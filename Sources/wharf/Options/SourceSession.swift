import WharfAdmin
import WharfClusterSource
import WharfCore
import WharfEngine
import WharfKafkaClient

/// The source a command's options name, as a `ClusterSource`: the cluster at `--bootstrap`, else
/// the data directory's engine, opened for one command and always closed. A question every
/// source answers alike is asked here once, instead of once per source.
enum SourceSession {
    /// `fsync` applies to the engine only (read when there is one, as the commands always did);
    /// `checkCluster` runs first on a cluster (what must hold there before anything is asked).
    static func with<T>(_ data: DataOptions, _ cluster: BootstrapOption, fsync: FsyncOptions? = nil,
                        checkCluster: (KafkaClient) async throws -> Void = { _ in },
                        _ body: (any ClusterSource) async throws -> T) async throws -> T {
        if let kafka = try cluster.clientConfiguration() {
            return try await ClusterSession.with(kafka) { client in
                try await checkCluster(client)
                return try await body(KafkaClusterSource(client: client, clock: SystemClock()))
            }
        }
        return try await EngineSession.with(data, fsync: try fsync?.policy() ?? .interval(milliseconds: 1000)) { try await body(EngineSource(engine: $0)) }
    }

    /// The source and, on a data directory, the queue store beside its engine; over
    /// `--bootstrap` there is none (a Kafka cluster has topics, never queues: the queue
    /// operations are absent from `SourceCapabilities.kafkaCluster`).
    static func withQueues<T>(_ data: DataOptions, _ cluster: BootstrapOption,
                              _ body: (any ClusterSource, QueueStore?) async throws -> T) async throws -> T {
        if let kafka = try cluster.clientConfiguration() {
            return try await ClusterSession.with(kafka) { try await body(KafkaClusterSource(client: $0, clock: SystemClock()), nil) }
        }
        return try await DataDirectorySession.engineWithQueues(data.directory) { try await body(EngineSource(engine: $0), $1) }
    }
}
