import KafkaProtocol

/// What one client may cost the listener: every limit in one place, named after the Kafka
/// broker setting it mirrors, with Kafka's default where Kafka has one. A client over a limit
/// gets an error or a closed connection; nobody else notices.
public struct KafkaListenerLimits: Sendable, Equatable {
    /// `socket.request.max.bytes`: the largest request frame; a larger size prefix closes the
    /// connection before any of its payload is buffered.
    public var socketRequestMaxBytes = 100 * 1024 * 1024
    /// `max.connections`: connections accepted at once; the next one is closed as soon as it
    /// is accepted.
    public var maxConnections = 1000
    /// Requests of one connection read but not yet answered (queued, or the one being
    /// handled). At the limit the listener stops reading that socket, so a pipelining client
    /// waits in its own TCP buffers, as Kafka mutes a channel (`Selector.mute`).
    public var maxInFlightRequests = 100
    /// The bytes of those requests (`queued.max.request.bytes`, kept per connection): reading
    /// also stops at this many bytes. One request is always accepted, however large.
    public var maxQueuedRequestBytes = 100 * 1024 * 1024
    /// `connections.max.idle.ms`: a connection that has neither sent nor received anything
    /// for this long, and has no request in progress, is closed (slowloris included).
    public var connectionsMaxIdleMs = 600_000
    /// `fetch.max.bytes`: the most record bytes one Fetch answer carries, whatever the client
    /// asks. KIP-74: only the first partition with data may exceed it, by its first batch.
    public var fetchMaxBytes = 55 * 1024 * 1024

    public init() {}

    /// Why these limits cannot run a listener, naming the flag, or nil when they can.
    public var problem: String? {
        if !(KafkaFrameDecoder.minFrameSize...Int(Int32.max)).contains(socketRequestMaxBytes) {
            return "--socket-request-max-bytes must be between \(KafkaFrameDecoder.minFrameSize) and \(Int32.max)"
        }
        if maxConnections < 1 { return "--max-connections must be at least 1" }
        if maxInFlightRequests < 1 { return "--max-in-flight-requests must be at least 1" }
        if maxQueuedRequestBytes < 1 { return "--max-queued-request-bytes must be at least 1" }
        if connectionsMaxIdleMs < 1 { return "--connections-max-idle-ms must be at least 1" }
        if !(1...Int(Int32.max)).contains(fetchMaxBytes) { return "--fetch-max-bytes must be between 1 and \(Int32.max)" }
        return nil
    }
}
