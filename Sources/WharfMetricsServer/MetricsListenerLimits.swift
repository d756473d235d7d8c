/// What one scraper may hold of the metrics listener. Prometheus needs one connection and one
/// small GET per scrape; anything far beyond that is a mistake or an attack, and is refused
/// without costing the broker more than these bounds.
public struct MetricsListenerLimits: Sendable, Equatable {
    /// Connections open at once; a connection over it is closed as soon as it is accepted.
    public var maxConnections = 16
    /// Largest request (request line, headers and any body) answered; a larger one gets 431 (or
    /// 413 for its body) and the connection is closed. The HTTP parser itself stops at 80 KiB.
    public var maxRequestBytes = 8 * 1024
    /// A connection must deliver a complete request within this long of opening or of its last
    /// answer, or it is closed: a client that trickles bytes (or idles) cannot keep a slot.
    public var requestTimeoutMs = 10_000

    public init() {}
}
