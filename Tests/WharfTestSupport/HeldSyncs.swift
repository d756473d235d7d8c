import Foundation
import WharfStorage

/// Holding a log's fdatasyncs, to see what waits for them and what must not.
///
/// A test that holds them checks that some call finishes meanwhile. The call is given
/// `boundWhileHeld` seconds, and the hold lasts `releasedAfter` seconds at most, so a call that
/// does wait for the fdatasync still fails its check (it ends only after the release), while a
/// call that waits only for a thread, on a 2-core CI machine running 300 suites in parallel, has
/// room (it has taken up to 93 s there).
public enum HeldSyncs {
    /// Seconds a call that must not wait for a held fdatasync is given to finish.
    public static let boundWhileHeld: Double = 100
    /// Seconds after which held fdatasyncs are let go whatever happens, so a failing test does not
    /// hang the run: past `boundWhileHeld` and every polling deadline.
    public static let releasedAfter: Double = 150
}

extension FaultInjector {
    /// Holds every following fdatasync of a path ending in `pathSuffix` until `releaseSyncs()`,
    /// or `HeldSyncs.releasedAfter` seconds at most.
    package func holdSyncsForAWhile(pathSuffix: String) {
        holdSyncs(pathSuffix: pathSuffix)
        DispatchQueue.global().asyncAfter(deadline: .now() + HeldSyncs.releasedAfter) { [self] in releaseSyncs() }
    }
}
