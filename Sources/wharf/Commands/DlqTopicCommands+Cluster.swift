import WharfClusterSource
import WharfCore
import WharfEngine
import WharfKafkaClient

/// `wharf dlq ... --bootstrap`: dead-letter topics of a Kafka-protocol cluster, printed by the
/// same functions as on the embedded engine. Dead-letter *queues* are Wharf-only: an entity
/// that is not a topic of the cluster is refused with a one-line error.
extension DlqTopics {
    static func summaries(_ kafka: KafkaClient.Configuration) async throws -> [SummaryJSON] {
        try await ClusterSession.with(kafka) { client in
            let names = try await client.refreshMetadata().topics.filter { !$0.isInternal }.map(\.name)
            return json(try await ClusterDeadLetters.summaries(client, topics: names), now: SystemClock().nowMillis())
        }
    }

    /// The entity must be a topic of the cluster.
    static func requireTopic(_ client: KafkaClient, _ entity: String) async throws {
        guard try await client.refreshMetadata().topic(entity) != nil else {
            throw WharfError.invalidArgument(
                "'\(entity)' is not a topic of the cluster at \(await client.bootstrapDescription); dead-letter queues are Wharf-only: use --data with the data directory for queues")
        }
    }

    static func peek(_ topic: String, _ kafka: KafkaClient.Configuration, max: Int, json: Bool) async throws {
        let records = try await ClusterSession.with(kafka) { client in
            try await requireTopic(client, topic)
            return try await ClusterDeadLetters.records(client, topic: topic, max: max)
        }
        try printPeek(records, json: json)
    }

    static func requeue(_ topic: String, _ kafka: KafkaClient.Configuration, offsets: [Int64], all: Bool, reason: String?,
                        contains: String?, to: String?, dryRun: Bool, json: Bool) async throws {
        let chosen = try selection(offsets: offsets, all: all, reason: reason, contains: contains)
        let r = try await ClusterSession.with(kafka) { client in
            try await requireTopic(client, topic)
            return try await ClusterDeadLetters.requeue(client, topic: topic, selection: chosen, to: to, dryRun: dryRun, clock: SystemClock())
        }
        try printRequeue(r, topic: topic, json: json)
    }

    static func purge(_ topic: String, _ kafka: KafkaClient.Configuration, yes: Bool) async throws {
        let n = try await ClusterSession.with(kafka) { client in
            try await requireTopic(client, topic)
            return try await yes ? ClusterDeadLetters.purge(client, topic: topic) : ClusterDeadLetters.retained(client, topic: topic)
        }
        try printPurge(n, topic: topic, yes: yes)
    }
}
