import Logging
import Synchronization
import WharfCore

/// The audit trail of security events (failed authentications, authorization denials), rate-limited so that a client
/// guessing passwords in a loop cannot flood the log: at most `linesPerWindow` lines per
/// `windowMillis`, then one line saying how many were left out. One per listener (Kafka, gRPC).
public final class SecurityEventLog: Sendable {
    private struct Window {
        var start: Int64?
        var logged = 0
        var suppressed = 0
    }

    private let logger: Logger
    private let clock: any WallClock
    private let linesPerWindow: Int
    private let windowMillis: Int64
    private let window = Mutex(Window())

    public init(logger: Logger, clock: any WallClock, linesPerWindow: Int = 20, windowMillis: Int64 = 60_000) {
        self.logger = logger
        self.clock = clock
        self.linesPerWindow = linesPerWindow
        self.windowMillis = windowMillis
    }

    public func authenticationFailed(principal: String, peer: String, mechanism: String, reason: String) {
        record("SASL authentication failed", metadata: [
            "principal": "\(principal)", "peer": "\(peer)", "mechanism": "\(mechanism)", "reason": "\(reason)",
        ])
    }

    /// A refused login on a listener that does not speak SASL (the EventStoreDB listener's HTTP
    /// Basic credentials), under the same budget.
    public func basicAuthenticationFailed(principal: String, peer: String, reason: String) {
        record("authentication failed", metadata: [
            "principal": "\(principal)", "peer": "\(peer)", "mechanism": "Basic", "reason": "\(reason)",
        ])
    }

    /// A request (or part of one) refused by the ACLs (`--authorize`).
    public func authorizationDenied(principal: String, peer: String, operation: String, resource: String, reason: String) {
        record("authorization denied", metadata: [
            "principal": "\(principal)", "peer": "\(peer)", "operation": "\(operation)", "resource": "\(resource)",
            "reason": "\(reason)",
        ])
    }

    /// Logs `message` unless this window's budget (shared by every kind of event) is spent.
    private func record(_ message: Logger.Message, metadata: Logger.Metadata) {
        let now = clock.nowMillis()
        let (log, suppressedBefore) = window.withLock { w -> (Bool, Int) in
            var suppressedBefore = 0
            let elapsed = w.start.map { now.subtractingReportingOverflow($0) }
            let inWindow = elapsed.map { !$0.overflow && (0..<windowMillis).contains($0.partialValue) } ?? false
            if !inWindow {
                suppressedBefore = w.suppressed
                w = Window(start: now)
            }
            guard w.logged < linesPerWindow else {
                w.suppressed += 1
                return (false, 0)
            }
            w.logged += 1
            return (true, suppressedBefore)
        }
        if suppressedBefore > 0 {
            logger.warning("security events not logged (rate limit)", metadata: ["count": "\(suppressedBefore)"])
        }
        guard log else { return }
        logger.warning(message, metadata: metadata)
    }
}
