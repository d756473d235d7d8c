import NIOCore
import Synchronization

/// The idle checks of a listener's open connections (`IdleConnectionHandler`), so that the
/// listener can run them all: every second or so on its own, and at once when a test has moved
/// the clock (`KafkaServer.closeIdleConnections`). The way Kafka's `Selector` looks for expired
/// connections at each poll, rather than arming a timer per connection.
final class IdleConnections: Sendable {
    /// Runs one connection's check on its event loop.
    typealias Check = @Sendable () -> EventLoopFuture<Void>
    struct Registration: Hashable, Sendable {
        fileprivate let id: UInt64
    }

    private struct Registry {
        var next: UInt64 = 0
        var checks: [UInt64: Check] = [:]
    }

    private let registry = Mutex(Registry())

    func register(_ check: @escaping Check) -> Registration {
        registry.withLock { r in
            r.next &+= 1
            r.checks[r.next] = check
            return Registration(id: r.next)
        }
    }

    func unregister(_ registration: Registration) {
        _ = registry.withLock { $0.checks.removeValue(forKey: registration.id) }
    }

    /// Starts every connection's check; the futures complete as each has run.
    @discardableResult
    func check() -> [EventLoopFuture<Void>] {
        let checks = registry.withLock { Array($0.checks.values) }
        return checks.map { $0() }
    }

    /// How often the listener runs the checks on its own: often enough that a connection
    /// outlives its limit by a fraction of it (at most a second), rarely enough to cost nothing.
    static func checkInterval(limitMillis: Int) -> TimeAmount {
        .milliseconds(Int64(min(1000, max(10, limitMillis / 4))))
    }
}
