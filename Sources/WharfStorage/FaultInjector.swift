import Dispatch
import Synchronization
import WharfCore

/// A test seam in the file layer (redpanda's `file_sanitizer` idea): every `PosixFile` opened by
/// a log carries the log's injector (nil in production, one branch per operation) and asks it
/// before each write, fdatasync and truncate whether to fail instead.
///
/// Rules fire in order of registration: `fail(.write, pathSuffix: ".log", after: 2)` lets two
/// matching writes through, then fails the next one. A partial write puts the first half of the
/// bytes in the file and then fails, like a torn write. `failRandomly` fails any operation with a
/// seeded probability, so a failing run can be replayed. Thread-safe (a `Mutex`).
package final class FaultInjector: Sendable {
    package enum Operation: String, Sendable { case write, sync, truncate }
    package enum Decision: Sendable, Equatable { case proceed, fail, partialWrite }

    private struct Rule: Sendable {
        var operation: Operation
        var pathSuffix: String
        var skip: Int
        var remaining: Int
        var partial: Bool
    }

    private struct State: Sendable {
        var rules: [Rule] = []
        var randomState: UInt64 = 0
        var probability: Double = 0
        var injected = 0
        /// While set, fdatasyncs of paths with this suffix wait for `releaseSyncs()`.
        var heldSyncs: (pathSuffix: String, gate: DispatchSemaphore)?
        var syncsWaiting = 0
    }

    private let state = Mutex(State())
    /// Records every file-system change when set (crash-consistency tests; see `FileJournal`).
    package let journal: FileJournal?

    package init(journal: FileJournal? = nil) {
        self.journal = journal
    }

    /// Fails `times` matching operations after letting `after` of them through.
    package func fail(_ operation: Operation, pathSuffix: String = "", after skip: Int = 0, times: Int = 1, partialWrite: Bool = false) {
        state.withLock { $0.rules.append(Rule(operation: operation, pathSuffix: pathSuffix, skip: skip, remaining: times, partial: partialWrite)) }
    }

    /// Fails every operation with probability `probability`, drawn from a SplitMix64 seeded with `seed`.
    package func failRandomly(seed: UInt64, probability: Double) {
        state.withLock {
            $0.randomState = seed
            $0.probability = probability
        }
    }

    package func clear() { state.withLock { $0 = State() } }

    /// Makes every following fdatasync of a path ending in `pathSuffix` wait (on its own thread)
    /// until `releaseSyncs()`: a test can then act while a sync is in flight.
    package func holdSyncs(pathSuffix: String) {
        state.withLock { $0.heldSyncs = (pathSuffix, DispatchSemaphore(value: 0)) }
    }

    /// Lets the held fdatasyncs (and every later one) run.
    package func releaseSyncs() {
        let gate = state.withLock { s -> DispatchSemaphore? in
            defer { s.heldSyncs = nil }
            return s.heldSyncs?.gate
        }
        gate?.signal()
    }

    /// fdatasyncs waiting in `holdSyncs` now.
    package var syncsWaiting: Int { state.withLock { $0.syncsWaiting } }

    /// Blocks while syncs of `path` are held (see `holdSyncs`).
    func waitIfHeld(syncOf path: String) {
        let gate = state.withLock { s -> DispatchSemaphore? in
            guard let held = s.heldSyncs, path.hasSuffix(held.pathSuffix) else { return nil }
            s.syncsWaiting += 1
            return held.gate
        }
        guard let gate else { return }
        gate.wait()
        gate.signal()  // the next waiter on the same gate passes too
        state.withLock { $0.syncsWaiting -= 1 }
    }

    /// Faults injected so far.
    package var injectedCount: Int { state.withLock { $0.injected } }

    func decide(_ operation: Operation, path: String) -> Decision {
        state.withLock { s in
            for i in s.rules.indices where s.rules[i].operation == operation && s.rules[i].remaining > 0 && path.hasSuffix(s.rules[i].pathSuffix) {
                if s.rules[i].skip > 0 {
                    s.rules[i].skip -= 1
                    continue
                }
                s.rules[i].remaining -= 1
                s.injected += 1
                return s.rules[i].partial && operation == .write ? .partialWrite : .fail
            }
            guard s.probability > 0 else { return .proceed }
            s.randomState &+= 0x9E37_79B9_7F4A_7C15
            var z = s.randomState
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            guard Double(z >> 11) / Double(1 << 53) < s.probability else { return .proceed }
            s.injected += 1
            return .fail
        }
    }
}
