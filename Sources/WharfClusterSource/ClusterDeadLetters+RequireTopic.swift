import WharfCore
import WharfKafkaClient

extension ClusterDeadLetters {
    /// A cluster's dead-letter topics are refused by name when missing: queues are Wharf-only.
    public static func requireTopic(_ client: KafkaClient, _ entity: String) async throws {
        guard try await client.refreshMetadata().topic(entity) != nil else {
            throw WharfError.invalidArgument(
                "'\(entity)' is not a topic of the cluster at \(await client.bootstrapDescription); dead-letter queues are Wharf-only: use --data with the data directory for queues")
        }
    }
}
