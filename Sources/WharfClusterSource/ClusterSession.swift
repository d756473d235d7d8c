import WharfCore
import WharfKafkaClient

/// Opens a cluster client for one command and always closes its connections.
public enum ClusterSession {
    public static func with<T>(_ configuration: KafkaClient.Configuration, _ body: (KafkaClient) async throws -> T) async throws -> T {
        let client = KafkaClient(configuration: configuration)
        return try await withAsyncCleanup { try await body(client) } cleanup: { await client.close() }
    }
}
