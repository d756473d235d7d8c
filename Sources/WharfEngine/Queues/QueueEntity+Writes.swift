import WharfCore
import WharfStorage

/// Sends are written under the entity's lock and wait for durability outside it, so under
/// `--fsync always` the sends that arrive while one fdatasync runs share the next one (the log's
/// group commit) instead of each holding the lock across its own, and receives, settlements and
/// the dashboard's counts never wait behind the disk for a send.
///
/// What keeps that safe (each would otherwise lose or invent an acknowledged message):
/// - a message written is in `State.inFlight`, not in the index, until an fdatasync covers it:
///   nothing receives a message a power cut could take back, and the index takes them in
///   sequence order (`publish(upTo:)`);
/// - the settled-head reclaim and the journal's snapshot stop below the first message in flight
///   (`State.firstInFlight`): its record is neither settled nor freed;
/// - a duplicate of a message still in flight is answered only once the original is durable, so
///   a failed fdatasync (which stops the log) fails the retry too instead of calling it a
///   duplicate of nothing; the check and the write happen under one lock, so two sends of one id
///   at once store it once.
extension QueueEntity {
    /// Messages written to the log, receivable once durable: `durableBlocking()` or
    /// `whenDurable(_:)` waits, then puts them in the index. A duplicate carries no sequence
    /// numbers and waits for its original when that is still in flight.
    struct Written: Sendable {
        let entity: QueueEntity
        let sequenceNumbers: [Int64]
        /// The send was dropped by duplicate detection.
        let isDuplicate: Bool
        /// The message log's end an fdatasync must cover before the answer; nil when the policy
        /// has nothing to wait for (`interval`, `never`, or a duplicate of a durable message).
        let durableEnd: Int64?

        /// Waits (blocking) until the messages are durable and receivable.
        func durableBlocking() throws(WharfError) {
            guard let end = durableEnd else { return }
            try entity.messages.waitDurableBlocking(upTo: end)
            entity.publish(upTo: end)
        }

        /// Calls `body` with nil once the messages are durable and receivable, or with the error
        /// of the fdatasync that failed (the log has then stopped; they never become receivable
        /// in this run). At once when nothing is to wait for, else on the log's syncer thread.
        func whenDurable(_ body: @escaping @Sendable (WharfError?) -> Void) {
            guard let end = durableEnd else { return body(nil) }
            let entity = entity
            entity.messages.whenDurable(upTo: end) { error in
                if error == nil { entity.publish(upTo: end) }
                body(error)
            }
        }

        /// `whenDurable`, but waiting for an fdatasync whatever the policy (a topic's fan-out
        /// marks its intent done only once its copies are on disk).
        func whenSynced(_ body: @escaping @Sendable (WharfError?) -> Void) {
            guard let end = durableEnd ?? sequenceNumbers.last else { return body(nil) }
            let entity = entity
            let inFlight = durableEnd != nil
            entity.messages.whenDurable(upTo: end) { error in
                if error == nil, inFlight { entity.publish(upTo: end) }
                body(error)
            }
        }
    }

    /// A message ready for an entity's log: its record encoded as a batch of one (the log sets the
    /// offset in its copy of the bytes), enqueued at `enqueuedAt`. A topic's fan-out encodes a
    /// copy once and writes the same bytes to each subscription it goes to.
    struct Encoded: Sendable {
        let stored: QueueMessageCodec.Stored
        let enqueuedAt: Int64
        let batch: [UInt8]
        /// The size the index counts (key, body and headers).
        let sizeBytes: Int64

        init(_ stored: QueueMessageCodec.Stored, enqueuedAt: Int64) {
            let record = stored.record(enqueuedAt: enqueuedAt)
            self.stored = stored
            self.enqueuedAt = enqueuedAt
            batch = RecordBatchBuilder.encode([record], defaultTimestamp: enqueuedAt)
            sizeBytes = QueueEntity.size(of: StoredRecord(offset: 0, timestamp: enqueuedAt, key: record.key, value: record.value,
                                                          headers: record.headers))
        }
    }

    /// Writes `stored` (at least one) in order with one log write; under `always` they are in
    /// flight until `Written` says they are durable, under the other policies in the index at
    /// once. All land or none does. With `duplicatesAsOf` (one message, an entity with duplicate
    /// detection), a message whose id was sent within the window before that time is dropped
    /// instead (a send passes its own time; a fan-out completed after a crash, the time of the
    /// send it completes).
    func write(_ stored: [QueueMessageCodec.Stored], now: Int64, duplicatesAsOf: Int64? = nil) throws(WharfError) -> Written {
        try write(stored.map { Encoded($0, enqueuedAt: now) }, now: now, duplicatesAsOf: duplicatesAsOf)
    }

    /// `write(_:now:duplicatesAsOf:)` of messages already encoded.
    func write(_ encoded: [Encoded], now: Int64, duplicatesAsOf: Int64? = nil) throws(WharfError) -> Written {
        try state.withLock { (s: inout State) throws(WharfError) -> Written in
            if let asOf = duplicatesAsOf, let id = encoded.first?.stored.messageId, s.options.requiresDuplicateDetection,
               let seen = s.seenIds[id], asOf &- seen < s.options.duplicateDetectionWindowMillis {
                let original = s.inFlight.last { $0.messageId == id }
                return Written(entity: self, sequenceNumbers: [], isDuplicate: true, durableEnd: original?.seq)
            }
            var bytes: [UInt8]
            if encoded.count == 1 {
                bytes = encoded[0].batch
            } else {
                bytes = []
                bytes.reserveCapacity(encoded.reduce(0) { $0 + $1.batch.count })
                for e in encoded { bytes += e.batch }
            }
            let pending = try messages.write(&bytes)
            // Later writes queue behind earlier ones still in flight, whatever their policy said.
            let inFlight = !pending.isDurable || !s.inFlight.isEmpty
            var seqs: [Int64] = []
            seqs.reserveCapacity(encoded.count)
            for (i, item) in encoded.enumerated() {
                let message = item.stored
                var e = Entry(seq: pending.result.baseOffset + Int64(i) + 1, messageId: message.messageId,
                              sessionId: message.sessionIdValue, enqueuedTime: item.enqueuedAt, sizeBytes: item.sizeBytes)
                Self.initialize(&e, message, options: s.options, isDeadLetter: isDeadLetter)
                // Kept only where duplicate detection reads it (the tick empties it elsewhere).
                if s.options.requiresDuplicateDetection, message.movedFromValue == nil { s.seenIds[message.messageId] = now }
                if inFlight { s.inFlight.append(e) } else { s.admit(e) }
                seqs.append(e.seq)
            }
            s.compactOrder()
            return Written(entity: self, sequenceNumbers: seqs, isDuplicate: false, durableEnd: inFlight ? seqs.last : nil)
        }
    }

    /// Puts the messages in flight up to sequence number `end` in the index: an fdatasync
    /// covers them (it covers every record below the end it reached).
    func publish(upTo end: Int64) {
        state.withLock { s in
            let count = s.inFlight.prefix { $0.seq <= end }.count
            guard count > 0 else { return }
            for e in s.inFlight[..<count] { s.admit(e) }
            s.inFlight.removeFirst(count)
        }
    }
}
