import Foundation
import WharfCore

/// Keeping the state journal short: a snapshot entry, then `deleteRecords` below it.
///
/// Crash-safety: the snapshot is one record appended under the entity lock, so it matches the
/// index exactly; replay gives the same state whether the older entries are still there (they are
/// applied first, then overridden by the snapshot) or already gone. Only whole journal segments
/// are deleted from disk, so the space comes back once a segment is entirely below the snapshot.
extension QueueEntity {
    /// Writes a snapshot and moves the journal start to it when the journal holds at least
    /// `minEntries` entries and more than `perLiveMessage` per live message (the snapshot is then
    /// much smaller than what it replaces). Returns true if it did.
    @discardableResult
    /// `crashBeforeDelete` (tests) stops after the snapshot, as a crash there would.
    func compactJournal(minEntries: Int64 = 10_000, perLiveMessage: Int64 = 4,
                        crashBeforeDelete: Bool = false) throws(WharfError) -> Bool {
        try state.withLock { (s: inout State) throws(WharfError) -> Bool in
            let count = journal.logEndOffset - journal.logStartOffset
            guard count >= max(minEntries, 1), count > perLiveMessage * Int64(s.entries.count) else { return false }
            let live = s.entries.values.sorted { $0.seq < $1.seq }.map { e in
                // A held lock's delivery is counted: it was journaled when the lock was granted.
                JournalEntry.LiveMessage(seq: e.seq, deliveryCount: e.deliveryCount,
                                         deferred: e.deferred, purgedAt: e.purgedAt, propertyChanges: e.propertyChanges)
            }
            // Messages in flight are not in `live` and not settled: the snapshot stops below them.
            let snapshot = JournalEntry.snapshot(upTo: s.firstInFlight(orEnd: messages.logEndOffset) - 1, live: live,
                                                 sessions: s.sessionStates.mapValues { Data($0) })
            var bytes = JournalEntry.encode([snapshot], at: clock.nowMillis())
            let at = try journal.append(&bytes).baseOffset
            guard !crashBeforeDelete else { return true }
            _ = try journal.deleteRecords(before: at)
            return true
        }
    }
}
