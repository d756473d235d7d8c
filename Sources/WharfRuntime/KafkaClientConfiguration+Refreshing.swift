import WharfKafkaClient

extension KafkaClient.Configuration {
    /// The settings of a client that reads a cluster on every refresh (the dashboard, `wharf
    /// exporter`): it retries by itself on the next tick, so two attempts per call absorb a
    /// leader or coordinator move (metadata refreshed in between) and keep a refresh against a
    /// dead address short; the status line or `wharf_source_up` says what failed.
    public func refreshing(clientId: String) -> KafkaClient.Configuration {
        var configuration = self
        configuration.clientId = clientId
        configuration.attempts = 2
        configuration.connectTimeoutMs = 3_000
        configuration.requestTimeoutMs = 10_000
        return configuration
    }
}
