import Synchronization

/// What a listener holds for its clients right now, and the most it has held: the dashboard
/// shows `connections`; tests assert the peaks stay within `KafkaListenerLimits`.
public struct ListenerLoad: Sendable, Equatable {
    /// Connections open now.
    public var connections = 0
    /// Connections closed at once because `max.connections` were open.
    public var refusedConnections = 0
    /// Connections closed by `connections.max.idle.ms`.
    public var idleConnectionsClosed = 0
    /// The most requests one connection had read and not yet answered.
    public var peakInFlightRequests = 0
    /// The most request bytes one connection had read and not yet answered.
    public var peakQueuedRequestBytes = 0
    /// Answer bytes handed to the sockets and not yet sent, now and at most.
    public var pendingResponseBytes = 0
    public var peakPendingResponseBytes = 0
}

/// The listener's shared, thread-safe `ListenerLoad`.
final class ListenerGauges: Sendable {
    private let load = Mutex(ListenerLoad())
    /// Answer times per API (atomics, not the lock above: every request records one).
    let latencies = RequestLatencies()
    /// Produce and Fetch split into the stages of the record path.
    let stages = RequestStageLatencies()
    /// The open connections' request workers (not a gauge; kept here as every handler has these).
    let workers = ConnectionWorkers()

    var snapshot: ListenerLoad { load.withLock { $0 } }

    /// Counts a new connection unless `limit` are open already.
    func admit(limit: Int) -> Bool {
        load.withLock { l in
            guard l.connections < limit else {
                l.refusedConnections += 1
                return false
            }
            l.connections += 1
            return true
        }
    }

    func release() { load.withLock { $0.connections -= 1 } }

    func idleClosed() { load.withLock { $0.idleConnectionsClosed += 1 } }

    func recordQueue(inFlight: Int, bytes: Int) {
        load.withLock { l in
            l.peakInFlightRequests = max(l.peakInFlightRequests, inFlight)
            l.peakQueuedRequestBytes = max(l.peakQueuedRequestBytes, bytes)
        }
    }

    func responseHandedOver(bytes: Int) {
        load.withLock { l in
            l.pendingResponseBytes += bytes
            l.peakPendingResponseBytes = max(l.peakPendingResponseBytes, l.pendingResponseBytes)
        }
    }

    func responseSent(bytes: Int) { load.withLock { $0.pendingResponseBytes -= bytes } }
}
