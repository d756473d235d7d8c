import Foundation
import Synchronization

/// Reaps one child as soon as it exits and tells whoever waits: a 10 ms dispatch timer polls
/// `waitpid(WNOHANG)`, so no thread blocks and the child never lingers as a zombie. (Not a pidfd
/// on a dispatch read source: libdispatch's Linux event loop crashed the test process in
/// `_dispatch_event_loop_drain` with it; a timer registers no descriptor.)
final class ExitWatch: Sendable {
    private let pid: pid_t
    private let state = Mutex(State())

    private struct State {
        var termination: Termination?
        var waiters: [@Sendable (Termination) -> Void] = []
    }

    init(pid: pid_t) {
        self.pid = pid
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + .milliseconds(2), repeating: .milliseconds(10), leeway: .milliseconds(5))
        // The timer holds itself (through its handler) until the child is reaped and it is cancelled.
        timer.setEventHandler { [self] in if reap() { timer.cancel() } }
        timer.resume()
    }

    var termination: Termination? { state.withLock { $0.termination } }

    /// Calls `handler` once with the termination: now if the child has been reaped, else then.
    func onExit(_ handler: @escaping @Sendable (Termination) -> Void) {
        let done = state.withLock { state -> Termination? in
            if state.termination == nil { state.waiters.append(handler) }
            return state.termination
        }
        if let done { handler(done) }
    }

    /// Under the lock that reaping takes, so the signal never reaches a recycled pid.
    func signal(_ signal: Int32) {
        state.withLock { state in
            if state.termination == nil { _ = kill(pid, signal) }
        }
    }

    /// True once the child has been reaped.
    private func reap() -> Bool {
        let (termination, waiters) = state.withLock { state -> (Termination?, [@Sendable (Termination) -> Void]) in
            if state.termination != nil { return (nil, []) }
            var raw: Int32 = 0
            var reaped: pid_t
            repeat { reaped = waitpid(pid, &raw, WNOHANG) } while reaped < 0 && errno == EINTR
            if reaped == 0 { return (nil, []) }
            // ECHILD: reaped by someone else (nothing in Wharf waits for any child); its status is lost.
            let termination = reaped == pid ? Termination(waitStatus: raw) : .exited(-1)
            state.termination = termination
            defer { state.waiters = [] }
            return (termination, state.waiters)
        }
        guard let termination else { return self.termination != nil }
        waiters.forEach { $0(termination) }
        return true
    }
}
