import WharfCore

/// Moving a message between entities (dead-letter, forward of dead-letters, requeue, activation
/// of a scheduled message), atomic across a crash.
///
/// Protocol, with the source message marked `moving` (invisible) first:
/// 1. append the copy to the target's message log with `x-sb-moved-from: <source>#<seq>`;
/// 2. journal `movedOut(seq, to: target)` in the source.
/// Step 1 is made durable before step 2 is written, whatever the fsync policy.
/// A crash before 1 leaves the message in the source (a restart clears `moving`, which is never
/// persisted). A crash between 1 and 2 leaves both; on open `recoverMoves` finds every copy whose
/// source message is still live and rolls forward (writes step 2), so after recovery the message
/// is in exactly one place: never lost, never in both. Step 2 is idempotent (a journal entry for
/// a settled sequence number is ignored), so recovery can itself be interrupted and rerun.
extension QueueStore {
    /// Runs the two steps; returns the copy's sequence number in `target`.
    func move(_ seq: Int64, from source: QueueEntity, to target: QueueEntity, reason: String?,
              transform: (inout QueueMessageCodec.Stored) -> Void) throws(WharfError) -> Int64 {
        let (newSeq, done) = try beginMove(seq, from: source, to: target, reason: reason, transform: transform)
        try DurableWaits.waitBlocking([done])
        return newSeq
    }

    /// `move` without a thread waiting for the disk: step 1 is written now, and step 2 once an
    /// fdatasync covers it (on the syncer's thread); the wait reports when step 2 is durable as
    /// the policy promises. Returns the copy's sequence number in `target`.
    func beginMove(_ seq: Int64, from source: QueueEntity, to target: QueueEntity, reason: String?,
                   transform: (inout QueueMessageCodec.Stored) -> Void) throws(WharfError) -> (Int64, DurabilityWait) {
        let copy: QueueEntity.Written
        do {
            var (stored, _) = try source.read(seq)
            source.state.withLock { $0.entries[seq]?.propertyChanges }?.apply(to: &stored)
            transform(&stored)
            stored.system[QueueMessageCodec.movedFrom] = "\(source.path)#\(seq)"
            stored.system[QueueMessageCodec.movedFromIncarnation] = String(source.state.withLock { $0.options.createdAt })
            copy = try target.write([stored], now: clock.nowMillis())
        } catch {
            source.abortMove(seq)
            throw error
        }
        let done = DurabilityPromise()
        // Step 1 must be durable before step 2 is written, whatever the policy: the two logs are
        // synced independently, so under `interval` step 2 could otherwise survive a power cut
        // that erases the copy, and the message would be in neither place. A failure leaves both
        // steps' recovery to `recoverMoves` (the copy is written, the source still holds the message).
        copy.whenSynced { [self] error in
            if let error { return done.answer(error) }
            do throws(WharfError) {
                if let hook = crashHook.withLock({ $0 }) {
                    do { try hook("after-copy") } catch { throw .io("simulated crash after step 1 of moving \(source.path)#\(seq): \(error)") }
                }
                guard let journaled = try source.writeFinishMove(seq, to: target.path, reason: reason) else { return done.answer(nil) }
                journaled.whenDurable { done.answer($0) }
            } catch {
                done.answer(error)
            }
        }
        return (copy.sequenceNumbers[0], done.wait)
    }

    /// Where dead-lettered messages of `e` go: its forward-dead-lettered-to queue, or its
    /// dead-letter subqueue.
    func deadLetterTarget(of e: QueueEntity) throws(WharfError) -> QueueEntity {
        if let f = e.state.withLock({ $0.options.forwardDeadLetteredMessagesTo }), let t = try? entity(f) { return t }
        return try entity(QueueNames.deadLetter(of: e.path))
    }

    /// Moves a message marked `moving` to the dead-letter target of `e`, adding
    /// `DeadLetterReason`/`DeadLetterErrorDescription` (when given), the dead-letter source and
    /// the delivery count it had.
    /// `changes` (the settlement's properties to modify) go on the copy.
    func deadLetter(_ m: QueueEntity.PendingMove, from e: QueueEntity,
                    modifying changes: ApplicationPropertyChanges? = nil) throws(WharfError) -> Int64 {
        let (seq, done) = try beginDeadLetter(m, from: e, modifying: changes)
        try DurableWaits.waitBlocking([done])
        return seq
    }

    /// `deadLetter` without a thread waiting for the disk (`beginMove`).
    func beginDeadLetter(_ m: QueueEntity.PendingMove, from e: QueueEntity,
                         modifying changes: ApplicationPropertyChanges? = nil) throws(WharfError) -> (Int64, DurabilityWait) {
        let target = try deadLetterTarget(of: e)
        let count = e.state.withLock { $0.entries[m.seq]?.deliveryCount ?? 0 }
        return try beginMove(m.seq, from: e, to: target, reason: m.reason ?? "dead-lettered") { s in
            changes?.apply(to: &s)
            Self.markDeadLettered(&s, reason: m.reason, description: m.description, source: e.path, deliveryCount: count)
            if !target.isDeadLetter { s.system[QueueMessageCodec.hopCount] = String(s.hops + 1) }
        }
    }

    static func markDeadLettered(_ s: inout QueueMessageCodec.Stored, reason: String?, description: String?,
                                 source: String, deliveryCount: Int) {
        if let reason { s.properties[QueueMessageCodec.deadLetterReason] = reason }
        if let description { s.properties[QueueMessageCodec.deadLetterDescription] = description }
        s.system[QueueMessageCodec.deadLetterSource] = source
        s.system[QueueMessageCodec.deliveryCount] = String(deliveryCount)
    }

    /// Activates a due scheduled message: re-enqueued "as if now" with a new sequence number
    /// (reference §1.6), by a move within the same entity.
    func activate(_ seq: Int64, in e: QueueEntity) throws(WharfError) -> Int64 {
        try move(seq, from: e, to: e, reason: "activated") { _ in }
    }

    /// Completes moves a crash interrupted between their steps (see the type comment).
    func recoverMoves() throws(WharfError) {
        let all = entities.withLock { Array($0.values) }
        for target in all {
            let markers = target.state.withLock { $0.movedFrom }
            for marker in markers {
                let (sourcePath, seq) = (marker.entity, marker.seq)
                guard let source = try? entity(sourcePath), source.state.withLock({ $0.options.createdAt }) == marker.created,
                      source.isLive(seq) else { continue }
                logger.warning("completing an interrupted move", metadata: ["from": "\(sourcePath)#\(seq)", "to": "\(target.path)"])
                try source.finishMove(seq, to: target.path, reason: "recovered")
            }
            target.state.withLock { $0.movedFrom = [] }
        }
    }
}
