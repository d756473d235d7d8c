/// The listener's connections, so that a message one connection stored reaches the receivers of
/// the others at once, not at their next pump tick (`AMQPChannelHandler.pumpInterval`, 50 ms).
/// Confined to the listener's single event loop (held in a `NIOLoopBoundBox`): every handler
/// registers, unregisters and wakes from that loop.
final class AMQPReceiverWakeups {
    private var pumps: [ObjectIdentifier: () -> Void] = [:]

    func register(_ id: ObjectIdentifier, _ pump: @escaping () -> Void) { pumps[id] = pump }

    func unregister(_ id: ObjectIdentifier) { pumps[id] = nil }

    /// Pumps every connection but `sender` (which pumps itself after its read).
    func wakeAll(except sender: ObjectIdentifier) {
        for (id, pump) in pumps where id != sender { pump() }
    }
}
