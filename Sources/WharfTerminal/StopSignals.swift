#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNCursesW
import Synchronization

/// SIGTERM, SIGINT and SIGHUP (a closed terminal, tmux kill-session, an ssh session ending) ask
/// for a clean stop, not death: the handler only records the signal, `TerminalApp.run` sees it
/// within one input poll and returns like `q`, and the caller closes the engine (every log gets
/// its clean-shutdown marker, so the next open recovers nothing). A SIGINT or SIGTERM after the
/// first stop signal means "now": the terminal is restored and the signal re-raised with its
/// default action, so the exit status names it (a repeated SIGHUP is ignored).
///
/// The handler stays installed after the terminal is restored: a stop asked for during cleanup
/// is still clean, since the cleanup is what runs next anyway.
enum StopSignals {
    /// The stop signal received (0: none). Written from the signal handler: a lock-free atomic
    /// store is async-signal-safe, and `install` initialises this global before any handler runs.
    static let received = Atomic<Int32>(0)

    static func install() {
        _ = received.load(ordering: .relaxed)
        for stop in [SIGTERM, SIGINT, SIGHUP] {
            signal(stop) { sig in
                guard StopSignals.received.load(ordering: .relaxed) != 0 else {
                    StopSignals.received.store(sig, ordering: .relaxed)
                    return
                }
                // A hang-up can come more than once (the kernel's and the terminal multiplexer's);
                // only a repeated SIGINT or SIGTERM means "now".
                if sig != SIGHUP { wharf_crash_handler(sig) }
            }
        }
    }

    /// The stop signal received so far, nil when none.
    static var pending: Int32? {
        let sig = received.load(ordering: .relaxed)
        return sig == 0 ? nil : sig
    }
}
