import Foundation
import Synchronization

/// The first SIGINT or SIGTERM received (0: none yet). Written only by `recordStopSignal`, a C
/// signal handler: an atomic store is async-signal-safe, unlike anything that allocates or
/// takes a lock. `StopSignals.init` reads it first, so Swift's lazy global initialisation has
/// run before a handler can ever touch it.
private let receivedStopSignal = Atomic<Int32>(0)
/// The write end of the pipe through which the handler wakes `StopSignalWaiters` (-1 before).
private let stopPipeWriteEnd = Atomic<Int32>(-1)

/// The handler: records the signal, then writes a byte to the pipe (`write` is
/// async-signal-safe; the end is non-blocking, and a full pipe already wakes its reader). It
/// keeps the interrupted thread's errno.
private func recordStopSignal(_ signal: Int32) {
    let savedErrno = errno
    receivedStopSignal.store(signal, ordering: .relaxed)
    let fd = stopPipeWriteEnd.load(ordering: .relaxed)
    if fd >= 0 {
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)
    }
    errno = savedErrno
}

/// SIGINT and SIGTERM turned into a value to wait for, instead of killing the process.
///
/// The handler is installed synchronously with `sigaction` when this is created. (A dispatch
/// signal source, used before, registers its handler later on the dispatch manager thread; a
/// signal arriving in between was ignored, and `wharf queue receive --follow` never stopped.)
/// Waiting costs nothing while no signal comes: a thread of its own sleeps in `read` on a pipe
/// the handler writes to (polling every 50 ms woke an idle `wharf serve` 40 times a second).
public final class StopSignals: Sendable {
    public init() {
        _ = receivedStopSignal.load(ordering: .relaxed)
        _ = StopSignalWaiters.shared
        for sig in [SIGINT, SIGTERM] {
            signal(sig, recordStopSignal)
        }
    }

    /// The signal received so far, if any.
    public var received: Int32? {
        let s = receivedStopSignal.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    /// Suspends until SIGINT or SIGTERM arrives (or the task is cancelled: then SIGTERM).
    public func wait() async -> Int32 {
        await StopSignalWaiters.shared.wait()
    }
}

/// The tasks waiting in `StopSignals.wait`, resumed by the pipe's reader thread.
private final class StopSignalWaiters: Sendable {
    static let shared = StopSignalWaiters()

    private struct State {
        var waiting: [UInt64: CheckedContinuation<Int32, Never>] = [:]
        var nextId: UInt64 = 0
    }

    private let state = Mutex(State())

    private init() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            // No pipe (out of descriptors at start-up): waiters fall back to polling.
            return
        }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        stopPipeWriteEnd.store(fds[1], ordering: .relaxed)
        let readEnd = fds[0]
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0, errno == EINTR { continue }
                resumeAll()
                if n <= 0 { return }
            }
        }
        thread.name = "wharf-stop-signals"
        thread.start()
    }

    private static var received: Int32? {
        let s = receivedStopSignal.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    func wait() async -> Int32 {
        guard stopPipeWriteEnd.load(ordering: .relaxed) >= 0 else { return await poll() }
        let id = state.withLock { s in
            defer { s.nextId += 1 }
            return s.nextId
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
                // Registered and checked under the lock `resumeAll` takes after the handler set
                // the flag, so a signal is never missed between the check and the wait.
                let now = state.withLock { s -> Int32? in
                    if let received = Self.received { return received }
                    if Task.isCancelled { return SIGTERM }
                    s.waiting[id] = c
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(returning: Self.received ?? SIGTERM)
        }
    }

    private func resumeAll() {
        let waiting = state.withLock { s in
            defer { s.waiting = [:] }
            return s.waiting
        }
        let signal = Self.received ?? SIGTERM
        for c in waiting.values { c.resume(returning: signal) }
    }

    /// Without the pipe: the flag, checked every 50 ms.
    private func poll() async -> Int32 {
        while !Task.isCancelled {
            if let s = Self.received { return s }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return Self.received ?? SIGTERM
    }
}
