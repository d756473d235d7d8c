import NIOCore
import Synchronization

/// The listener's connections, so that a message one connection stored reaches the receivers of
/// the others at once, not at their next pump tick (`AMQPChannelHandler.pumpInterval`, 50 ms).
/// Connections live on any of the listener's event loops (one per core): a wake runs each other
/// connection's pump on that connection's own loop, directly when it is the caller's, otherwise
/// as one task at a time per connection (a wake while one is queued adds nothing: that pump
/// will see the new messages too).
final class AMQPReceiverWakeups: Sendable {
    private final class Pump: Sendable {
        let loop: any EventLoop
        let run: NIOLoopBound<() -> Void>
        let queued = Atomic<Bool>(false)

        init(loop: any EventLoop, run: @escaping () -> Void) {
            self.loop = loop
            self.run = NIOLoopBound(run, eventLoop: loop)
        }
    }

    private let pumps = Mutex<[ObjectIdentifier: Pump]>([:])

    /// `pump` runs on `loop` only.
    func register(_ id: ObjectIdentifier, on loop: any EventLoop, _ pump: @escaping () -> Void) {
        let entry = Pump(loop: loop, run: pump)
        pumps.withLock { $0[id] = entry }
    }

    func unregister(_ id: ObjectIdentifier) { pumps.withLock { $0[id] = nil } }

    /// Pumps every connection but `sender` (which pumps itself after its read).
    func wakeAll(except sender: ObjectIdentifier) {
        let others = pumps.withLock { table in table.compactMap { $0.key == sender ? nil : $0.value } }
        for pump in others {
            if pump.loop.inEventLoop {
                pump.run.value()
            } else if !pump.queued.exchange(true, ordering: .acquiringAndReleasing) {
                pump.loop.execute {
                    pump.queued.store(false, ordering: .releasing)
                    pump.run.value()
                }
            }
        }
    }
}
