import Synchronization
import WharfCore

/// A request frame and when it was cut out of the socket's bytes (`monotonicNanos()`).
struct QueuedRequest: Sendable {
    let frame: [UInt8]
    let readNanos: UInt64
}

/// One connection's requests between its socket and its worker, bounded by count and by bytes
/// (`KafkaListenerLimits.maxInFlightRequests`, `.maxQueuedRequestBytes`).
///
/// The event loop `push`es frames only while `hasRoom`, and stops reading the socket when it
/// has none; the worker takes them in order with `next()` and calls `done(byteCount:)` once a
/// request is answered, so a request counts until its answer is handed to the socket.
/// `close()` (the connection went away, or the worker was cancelled) drops what is queued and
/// wakes the worker with nil. Thread-safe: all state is behind one mutex.
final class RequestQueue: Sendable {
    private struct State {
        var waiting: [QueuedRequest] = []
        /// Requests read and not yet answered: `waiting` plus the one the worker is handling.
        var inFlight = 0
        var bytes = 0
        var closed = false
        var taker: CheckedContinuation<QueuedRequest?, Never>?
    }

    private let maxInFlight: Int
    private let maxBytes: Int
    private let gauges: ListenerGauges
    private let state = Mutex(State())

    init(limits: KafkaListenerLimits, gauges: ListenerGauges) {
        maxInFlight = limits.maxInFlightRequests
        maxBytes = limits.maxQueuedRequestBytes
        self.gauges = gauges
    }

    /// Whether another request may be read; one is always allowed when none is in flight.
    var hasRoom: Bool { state.withLock { hasRoom($0) } }

    /// No request is queued or being handled.
    var isIdle: Bool { state.withLock { $0.inFlight == 0 } }

    private func hasRoom(_ s: State) -> Bool {
        !s.closed && s.inFlight < maxInFlight && s.bytes < maxBytes
    }

    /// Adds a request read from the socket (call only while `hasRoom`).
    func push(_ frame: [UInt8]) {
        let request = QueuedRequest(frame: frame, readNanos: monotonicNanos())
        let taker = state.withLock { s -> CheckedContinuation<QueuedRequest?, Never>? in
            guard !s.closed else { return nil }
            s.inFlight += 1
            s.bytes += frame.count
            gauges.recordQueue(inFlight: s.inFlight, bytes: s.bytes)
            if let taker = s.taker {
                s.taker = nil
                return taker
            }
            s.waiting.append(request)
            return nil
        }
        taker?.resume(returning: request)
    }

    /// The oldest request not yet taken, waiting for one if needed; nil once closed or when
    /// the calling task is cancelled.
    func next() async -> QueuedRequest? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<QueuedRequest?, Never>) in
                let ready = state.withLock { s -> QueuedRequest?? in
                    if s.closed || Task.isCancelled { return .some(nil) }
                    if !s.waiting.isEmpty { return .some(s.waiting.removeFirst()) }
                    s.taker = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            close()
        }
    }

    /// The worker answered a request of `byteCount` bytes. True when that freed room in a
    /// queue that had none, so the socket must be read again.
    func done(byteCount: Int) -> Bool {
        state.withLock { s in
            let wasFull = !hasRoom(s)
            s.inFlight -= 1
            s.bytes -= byteCount
            return wasFull && hasRoom(s)
        }
    }

    /// Drops every queued request and wakes a waiting worker with nil; later pushes are ignored.
    func close() {
        let taker = state.withLock { s -> CheckedContinuation<QueuedRequest?, Never>? in
            s.closed = true
            s.waiting = []
            defer { s.taker = nil }
            return s.taker
        }
        taker?.resume(returning: nil)
    }
}
