import Foundation
import WharfCore

/// One state change of an entity, as stored in its journal log (`<entity>/journal/`).
///
/// On disk: one Kafka record per entry (a call's entries go in one batch, so they land together
/// or not at all): key = the case name (UTF-8, for humans and tools), value = the entry as JSON in
/// Swift's synthesized enum form, e.g. `{"abandoned":{"seq":3,"deliveryCount":2}}`.
/// Locks and renewals are not journaled: a restart releases every lock, as a dropped connection
/// does in Service Bus. A lock grant is journaled as `abandoned` (or `deferred`) with the raised
/// delivery count, so a delivery whose lock died with the process is counted, as Service Bus
/// counts an expired lock (`QueueEntity.journalLockGrants`).
/// Replay applies entries in order; entries naming a sequence number no longer in the index
/// (settled, reclaimed) are ignored, which makes every entry idempotent.
enum JournalEntry: Codable, Equatable, Sendable {
    /// Completed, or received in receive-and-delete mode: gone.
    case completed(seq: Int64)
    /// Expired and dropped (no dead-lettering on expiration).
    case expired(seq: Int64)
    /// Lock given up (abandon, lock or session-lock expiry, session close): available again
    /// (or deferred again if it was deferred) with this delivery count.
    case abandoned(seq: Int64, deliveryCount: Int)
    case deferred(seq: Int64, deliveryCount: Int)
    /// Second step of a move: the copy exists in `to` (dead-letter, requeue, forward of a
    /// dead-lettered message, activation of a scheduled message into `to` == self).
    case movedOut(seq: Int64, to: String, reason: String?)
    /// A scheduled message cancelled.
    case cancelled(seq: Int64)
    /// Application properties a settlement changed (abandon or defer with properties to modify),
    /// merged over the stored message's on every read; written in the settlement's batch.
    case propertiesModified(seq: Int64, changes: ApplicationPropertyChanges)
    case sessionState(sessionId: String, state: Data?)
    /// Messages set aside by a purge at `at` (restorable until `at` + the undo window).
    case purged(seqs: [Int64], at: Int64)
    case unpurged(seqs: [Int64])
    /// The whole journaled state at one point, written by `compactJournal` before it drops the
    /// entries below it: messages up to `upTo` (sequence number) not in `live` are settled;
    /// `live` gives the others' journaled fields; `sessions` replaces every session state.
    case snapshot(upTo: Int64, live: [LiveMessage], sessions: [String: Data])

    /// Journaled fields of a message still in the entity.
    struct LiveMessage: Codable, Equatable, Sendable {
        var seq: Int64
        var deliveryCount: Int
        var deferred: Bool
        var purgedAt: Int64?
        var propertyChanges: ApplicationPropertyChanges? = nil
    }

    var name: String {
        switch self {
        case .completed: "completed"
        case .expired: "expired"
        case .abandoned: "abandoned"
        case .deferred: "deferred"
        case .movedOut: "moved-out"
        case .cancelled: "cancelled"
        case .propertiesModified: "properties-modified"
        case .sessionState: "session-state"
        case .purged: "purged"
        case .unpurged: "unpurged"
        case .snapshot: "snapshot"
        }
    }

    static func encode(_ entries: [JournalEntry], at now: Int64) -> [UInt8] {
        var encoder: JSONEncoder?
        let records = entries.map { e in
            if let json = e.integerJSON { return Record(key: Array(e.name.utf8), value: json, timestamp: now) }
            if encoder == nil {
                encoder = JSONEncoder()
                encoder!.outputFormatting = [.sortedKeys]
            }
            // Encoding a value of this enum cannot fail (strings, integers, data).
            return Record(key: Array(e.name.utf8), value: Array(try! encoder!.encode(e)), timestamp: now)
        }
        return RecordBatchBuilder.encode(records, defaultTimestamp: now)
    }

    /// The JSON of the entries written for every message (settlement, lock grant), built
    /// directly: byte for byte what `JSONEncoder` with `.sortedKeys` writes for them
    /// (`JournalEntryTests` holds the two to each other), at a fraction of its cost. nil for
    /// the other cases.
    var integerJSON: [UInt8]? {
        func object(_ name: String, _ fields: [(String, Int64)]) -> [UInt8] {
            var s = "{\"" + name + "\":{"
            for (i, (key, value)) in fields.enumerated() { s += (i == 0 ? "\"" : ",\"") + key + "\":" + String(value) }
            return Array((s + "}}").utf8)
        }
        switch self {
        case .completed(let seq): return object("completed", [("seq", seq)])
        case .expired(let seq): return object("expired", [("seq", seq)])
        case .cancelled(let seq): return object("cancelled", [("seq", seq)])
        case .abandoned(let seq, let dc): return object("abandoned", [("deliveryCount", Int64(dc)), ("seq", seq)])
        case .deferred(let seq, let dc): return object("deferred", [("deliveryCount", Int64(dc)), ("seq", seq)])
        default: return nil
        }
    }

    static func decode(_ record: StoredRecord) throws(WharfError) -> JournalEntry {
        do {
            return try JSONDecoder().decode(JournalEntry.self, from: Data(record.value ?? []))
        } catch {
            throw .corrupt("unreadable queue journal entry at offset \(record.offset): \(error)")
        }
    }
}
