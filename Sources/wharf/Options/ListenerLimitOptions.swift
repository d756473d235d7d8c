import ArgumentParser
import WharfKafkaServer

/// The Kafka listener's limits as flags, shared by `wharf serve` and the dashboard's listener;
/// each flag is named after the Kafka broker setting it mirrors and defaults to Kafka's value.
struct ListenerLimitOptions: ParsableArguments {
    private static let defaults = KafkaListenerLimits()

    @Option(name: .customLong("socket-request-max-bytes"),
            help: "Largest request a client may send; a larger one closes its connection (Kafka's socket.request.max.bytes).")
    var socketRequestMaxBytes = defaults.socketRequestMaxBytes
    @Option(name: .customLong("max-connections"),
            help: "Clients connected at once; the next connection is closed at once (Kafka's max.connections).")
    var maxConnections = defaults.maxConnections
    @Option(name: .customLong("max-in-flight-requests"),
            help: "Requests of one connection read but not yet answered; at the limit Wharf stops reading that connection.")
    var maxInFlightRequests = defaults.maxInFlightRequests
    @Option(name: .customLong("max-queued-request-bytes"),
            help: "Bytes of those requests; at the limit Wharf stops reading that connection (Kafka's queued.max.request.bytes, per connection).")
    var maxQueuedRequestBytes = defaults.maxQueuedRequestBytes
    @Option(name: .customLong("connections-max-idle-ms"),
            help: "Close a connection silent for this long with no request in progress (Kafka's connections.max.idle.ms).")
    var connectionsMaxIdleMs = defaults.connectionsMaxIdleMs
    @Option(name: .customLong("fetch-max-bytes"),
            help: "Most record bytes in one Fetch answer, whatever the client asks (Kafka's fetch.max.bytes).")
    var fetchMaxBytes = defaults.fetchMaxBytes

    var limits: KafkaListenerLimits {
        var l = KafkaListenerLimits()
        l.socketRequestMaxBytes = socketRequestMaxBytes
        l.maxConnections = maxConnections
        l.maxInFlightRequests = maxInFlightRequests
        l.maxQueuedRequestBytes = maxQueuedRequestBytes
        l.connectionsMaxIdleMs = connectionsMaxIdleMs
        l.fetchMaxBytes = fetchMaxBytes
        return l
    }

    func validate() throws {
        if let problem = limits.problem { throw ValidationError(problem) }
    }
}
