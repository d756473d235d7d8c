/// The two idle-time-out duties of a connection (AMQP part 2 §2.4.5, reference §1.5), timed by
/// the queue store's `WallClock` so tests move time instead of sleeping: send an empty frame when
/// Wharf has written nothing for half the client's idle-time-out, and give up on a client that
/// has been silent for twice the idle-time-out Wharf announced (leniently: pyamqp's keep-alive
/// only writes when its timer thread wakes).
///
/// Activity is flagged per frame (a store, no clock read) and folded into the timestamps when
/// the connection's timer checks, so its resolution is the timer's period.
struct AMQPIdleTimer {
    enum Due: Equatable { case nothing, heartbeat, silentTooLong }

    private(set) var lastReceived: Int64
    private(set) var lastSent: Int64
    var receivedSinceCheck = false
    var sentSinceCheck = false

    init(now: Int64) {
        lastReceived = now
        lastSent = now
    }

    /// What is due at `now`: `heartbeatEvery` is half the client's idle-time-out (nil: it named
    /// none), `closeAfter` twice Wharf's.
    mutating func check(now: Int64, heartbeatEvery: UInt32?, closeAfter: Int64) -> Due {
        if receivedSinceCheck { lastReceived = now; receivedSinceCheck = false }
        if sentSinceCheck { lastSent = now; sentSinceCheck = false }
        // A clock stepped backwards restarts both periods rather than waiting out the gap.
        lastReceived = min(lastReceived, now)
        lastSent = min(lastSent, now)
        if now &- lastReceived >= closeAfter { return .silentTooLong }
        if let every = heartbeatEvery, now &- lastSent >= Int64(every) {
            lastSent = now
            return .heartbeat
        }
        return .nothing
    }
}
