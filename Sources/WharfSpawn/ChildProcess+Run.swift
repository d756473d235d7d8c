import Foundation
import Synchronization

extension ChildProcess {
    /// What a child printed and how it ended.
    public struct Captured: Sendable {
        public var termination: Termination
        public var standardOutput: Data
        public var standardError: Data
        /// Killed because it was still running after the timeout.
        public var timedOut: Bool

        public var status: Int32 { termination.status }
    }

    /// Runs `argv` to its exit with `stdin` as its input (none: /dev/null), reading both outputs
    /// as it runs (a chatty child cannot fill a pipe and stall); killed after `timeout`. The caller
    /// awaits: no pool thread blocks (the pipes are read on threads of their own).
    public static func run(_ argv: [String], environment: [String: String]? = nil, stdin: Data? = nil,
                           timeout: Duration) async throws -> Captured {
        let child = try ChildProcess(argv, environment: environment, stdin: stdin.map { .bytes($0) } ?? .null,
                                     stdout: .pipe, stderr: .pipe)
        let timedOut = Flag()
        // On a dispatch queue, not a Task: at the start of a parallel run hundreds of tests queue
        // on the cooperative pool, and a watchdog waiting behind them would kill late.
        let watchdog = DispatchWorkItem {
            timedOut.raise()
            child.kill()
        }
        let (seconds, attoseconds) = timeout.components
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)),
                                          execute: watchdog)
        async let errors = readToEnd(child.standardError!)
        let output = await readToEnd(child.standardOutput!)
        let termination = await child.exit()
        watchdog.cancel()
        return Captured(termination: termination, standardOutput: output, standardError: await errors,
                        timedOut: timedOut.isRaised)
    }

    /// This process's environment with `overrides` on top.
    public static func environment(adding overrides: [String: String]) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(overrides) { $1 }
    }
}

private final class Flag: Sendable {
    private let raised = Atomic(false)
    func raise() { raised.store(true, ordering: .sequentiallyConsistent) }
    var isRaised: Bool { raised.load(ordering: .sequentiallyConsistent) }
}
