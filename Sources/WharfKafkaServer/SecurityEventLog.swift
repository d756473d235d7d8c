import Logging
import Synchronization
import WharfCore

/// The audit trail of security events (failed authentications), rate-limited so that a client
/// guessing passwords in a loop cannot flood the log: at most `linesPerWindow` lines per
/// `windowMillis`, then one line saying how many were left out.
final class SecurityEventLog: Sendable {
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

    init(logger: Logger, clock: any WallClock, linesPerWindow: Int = 20, windowMillis: Int64 = 60_000) {
        self.logger = logger
        self.clock = clock
        self.linesPerWindow = linesPerWindow
        self.windowMillis = windowMillis
    }

    func authenticationFailed(principal: String, peer: String, mechanism: String, reason: String) {
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
            logger.warning("failed SASL authentications not logged (rate limit)", metadata: ["count": "\(suppressedBefore)"])
        }
        guard log else { return }
        logger.warning("SASL authentication failed", metadata: [
            "principal": "\(principal)", "peer": "\(peer)", "mechanism": "\(mechanism)", "reason": "\(reason)",
        ])
    }
}
