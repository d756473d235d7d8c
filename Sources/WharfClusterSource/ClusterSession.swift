import WharfKafkaClient

/// Opens a cluster client for one command and always closes its connections.
public enum ClusterSession {
    public static func with<T>(_ configuration: KafkaClient.Configuration, _ body: (KafkaClient) async throws -> T) async throws -> T {
        let client = KafkaClient(configuration: configuration)
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}
