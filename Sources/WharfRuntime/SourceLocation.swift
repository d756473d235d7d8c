import WharfAdmin
import WharfAuth
import WharfClusterSource
import WharfCore
import WharfEngine
import WharfKafkaClient
import WharfStorage

/// Where a one-shot command finds its data: a data directory (the embedded engine, opened for
/// the call and always closed) or a Kafka-protocol cluster (`--bootstrap`: a client for the
/// call, always closed). A command asks its question once, of the `ClusterSource` (or
/// `AclAdmin`) opened here, and never knows which of the two it has: this type is the one place
/// that chooses.
public enum SourceLocation: Sendable, CustomStringConvertible {
    /// `fsync`: the engine's durability policy for what the command writes.
    case dataDirectory(String, fsync: FsyncPolicy)
    case cluster(KafkaClient.Configuration)

    /// The data directory, or the cluster's bootstrap addresses, as a command's lines name it.
    public var description: String {
        switch self {
        case .dataDirectory(let directory, _): directory
        case .cluster(let configuration): configuration.bootstrap.map(\.description).joined(separator: ",")
        }
    }

    /// The data directory; nil for a cluster.
    public var dataDirectory: String? {
        if case .dataDirectory(let directory, _) = self { return directory }
        return nil
    }

    /// The source, for one call.
    public func withSource<T>(_ body: (any ClusterSource) async throws -> T) async throws -> T {
        try await withSource(check: { _ in }, body)
    }

    /// The source, after a cluster confirmed that `topic` exists: on a cluster a name that is
    /// not one of its topics is a one-line error before anything is asked (its dead-letter
    /// queues do not exist: queues are Wharf-only); the engine refuses an unknown topic itself.
    public func withSource<T>(requiringTopic topic: String, _ body: (any ClusterSource) async throws -> T) async throws -> T {
        try await withSource(check: { try await ClusterDeadLetters.requireTopic($0, topic) }, body)
    }

    /// `wharf dlq list`: the dead-letter queues of a data directory (a cluster has topics, never
    /// queues: the queue operations are absent from `SourceCapabilities.kafkaCluster`) and the
    /// source's dead-letter topics.
    public func deadLetterList() async throws -> DeadLetterListReport {
        switch self {
        case .dataDirectory(let directory, let fsync):
            return try await DataDirectorySession.engineWithQueues(directory, fsync: fsync) { engine, queues in
                DeadLetterListReport(queues: try queues.deadLetterQueueCounts(), topics: try await EngineSource(engine: engine).deadLetterTopicReports())
            }
        case .cluster:
            return try await withSource { DeadLetterListReport(queues: [], topics: try await $0.deadLetterTopicReports()) }
        }
    }

    /// Whether `wharf dlq`'s ENTITY names a topic (a dead-letter topic) rather than a queue: on
    /// a cluster always (it has no queues; `withSource(requiringTopic:)` refuses a name that is
    /// not one of its topics), in a data directory when a topic has that name.
    public func namesTopic(_ entity: String) async throws -> Bool {
        switch self {
        case .dataDirectory(let directory, _): try await DataDirectorySession.engine(directory) { $0.listTopics().contains(entity) }
        case .cluster: true
        }
    }

    /// The ACLs: a cluster's authorizer over the wire (`ClusterAclAdmin`), else the data
    /// directory's `AclStore`; `createDirectory` makes the directory (owner-only) when missing.
    public func withAclAdmin<T>(createDirectory: Bool, _ body: (any AclAdmin) async throws -> T) async throws -> T {
        switch self {
        case .dataDirectory(let directory, _):
            if createDirectory { try OwnerOnly.createDirectoryIfMissing(directory) }
            return try await body(AclStore(dataDirectory: directory))
        case .cluster(let configuration):
            return try await ClusterSession.with(configuration) { try await body(ClusterAclAdmin(client: $0)) }
        }
    }

    /// `check` runs first on a cluster: what must hold there before anything is asked.
    private func withSource<T>(check: (KafkaClient) async throws -> Void,
                               _ body: (any ClusterSource) async throws -> T) async throws -> T {
        switch self {
        case .dataDirectory(let directory, let fsync):
            return try await DataDirectorySession.engine(directory, fsync: fsync) { try await body(EngineSource(engine: $0)) }
        case .cluster(let configuration):
            return try await ClusterSession.with(configuration) { client in
                try await check(client)
                return try await body(KafkaClusterSource(client: client, clock: SystemClock()))
            }
        }
    }
}
