import Foundation
import WharfCore
import WharfStorage

/// Send, receive, settle, peek and sessions: the data-plane API over entity paths.
extension QueueStore {
    /// Sends one message to `queue` (Service Bus send).
    ///
    /// - Auto-forwarding: while the entity has `forwardTo`, the message goes on, counting a hop;
    ///   the hop that would exceed 4 dead-letters it in the entity it has reached, with
    ///   `MaxTransferHopCountExceeded` (Service Bus limit). Forwarding happens at send, so a
    ///   forwarding queue never stores messages itself.
    /// - A session-enabled entity dead-letters a message without a session id (`Session ID is null.`).
    /// - Duplicate detection (when enabled on the entity that stores the message): a message id
    ///   sent within the window is dropped and the send still succeeds (`disposition == .duplicate`).
    /// - `scheduledEnqueueTime` in the future: stored as `scheduled`, activated by `tick`/receive.
    /// - A topic's name: the message goes to its matching subscriptions (`publish`); the receipt
    ///   is the first copy's (entity: the topic, no sequence number, when none matched).
    @discardableResult
    public func send(_ queue: String, _ message: OutgoingMessage) throws(WharfError) -> SendReceipt {
        try send(queue, message, fanOutMarker: nil)
    }

    /// `send`, the stored record marked as a copy of a topic fan-out (see `TopicFanOut`).
    func send(_ queue: String, _ message: OutgoingMessage, fanOutMarker: String?) throws(WharfError) -> SendReceipt {
        let sent = try write(queue, message, fanOutMarker: fanOutMarker)
        try sent.written?.durableBlocking()
        return sent.receipt
    }

    /// A send written to its entity's log: `receipt` holds once `written` is durable (nil: it
    /// already is, or nothing was written, as for a duplicate of a durable message). A topic's
    /// fan-out is durable before this returns.
    struct WrittenSend {
        var receipt: SendReceipt
        var written: QueueEntity.Written?
    }

    /// `send` without waiting for durability (see `QueueEntity+Writes`).
    func write(_ queue: String, _ message: OutgoingMessage, fanOutMarker: String?) throws(WharfError) -> WrittenSend {
        if topicExists(queue) {
            return WrittenSend(receipt: try publish(queue, message), written: nil)
        }
        try QueueMessageCodec.validate(message)
        let entity = try self.entity(queue)
        guard !entity.isDeadLetter else { throw .invalidArgument("messages cannot be sent to a dead-letter queue (\(queue))") }
        var stored = QueueMessageCodec.Stored(message)
        stored.system[QueueMessageCodec.fanOut] = fanOutMarker
        if stored.messageId.isEmpty { stored.messageId = RandomUUID.lowercasedString() }
        let forwarding = forwarding(from: entity)
        if case .broken(let error) = forwarding.end { throw error }
        let now = clock.nowMillis()
        return try store(stored, along: forwarding, now: now, duplicatesAsOf: now)
    }

    /// Schedules a message for `enqueueTime` (Service Bus ScheduleMessageAsync); returns the
    /// sequence number to cancel it with.
    public func schedule(_ queue: String, _ message: OutgoingMessage, at enqueueTime: Int64) throws(WharfError) -> Int64 {
        var m = message
        m.scheduledEnqueueTime = enqueueTime
        let receipt = try send(queue, m)
        guard let seq = receipt.sequenceNumber else { throw .invalidArgument("message \(m.messageId) was dropped as a duplicate") }
        return seq
    }

    /// Cancels (deletes) a scheduled message.
    public func cancelScheduled(_ queue: String, sequenceNumber: Int64) throws(WharfError) {
        try entity(queue).cancelScheduled(sequenceNumber)
    }

    /// Receives up to `max` messages in sequence order. Peek-lock locks them for the lock
    /// duration; receive-and-delete removes them (journaled) before returning.
    /// Runs the entity's maintenance first, so expiry, lock release and activation are current.
    public func receive(_ entity: String, max: Int = 1, mode: ReceiveMode = .peekLock) throws(WharfError) -> [QueueMessage] {
        let e = try self.entity(entity)
        _ = try maintain(e)
        return try e.receive(max: max, mode: mode, sessionToken: nil, now: clock.nowMillis())
    }

    /// Receives deferred messages by sequence number (all must be deferred and unlocked).
    public func receiveDeferred(_ entity: String, sequenceNumbers: [Int64], mode: ReceiveMode = .peekLock,
                                session: SessionLock? = nil) throws(WharfError) -> [QueueMessage] {
        let e = try self.entity(entity)
        _ = try maintain(e)
        return try e.receiveDeferred(sequenceNumbers, mode: mode, sessionToken: session?.lockToken, now: clock.nowMillis())
    }

    /// Browses from `fromSequenceNumber`: no lock, no state change, no maintenance. Shows active,
    /// locked, deferred and scheduled messages, and expired ones not yet collected.
    public func peek(_ entity: String, fromSequenceNumber: Int64 = 1, max: Int = 32) throws(WharfError) -> [QueueMessage] {
        try self.entity(entity).peek(from: fromSequenceNumber, max: max, now: clock.nowMillis())
    }

    public func complete(_ entity: String, lockToken: String) throws(WharfError) {
        try self.entity(entity).settle(lockToken, .complete, now: clock.nowMillis()).pending?.durableBlocking()
    }

    /// Completes every message locked by `lockTokens` with one journal write; one result per
    /// token (nil: completed). Throws only if the entity is unknown or the write fails.
    public func complete(_ entity: String, lockTokens: [String]) throws(WharfError) -> [WharfError?] {
        try self.entity(entity).complete(lockTokens, now: clock.nowMillis())
    }

    /// `complete(_:lockTokens:)` without waiting for durability: the messages are settled (no one
    /// else receives them) and each result holds once every one of `QueueCompletions.waits` reports
    /// success; a power cut before that brings them back, as an unanswered completion should.
    public func writeCompletions(_ entity: String, lockTokens: [String]) throws(WharfError) -> QueueCompletions {
        let (results, pending) = try self.entity(entity).writeCompletions(lockTokens, now: clock.nowMillis())
        return QueueCompletions(results: results, pending: pending)
    }

    /// Gives the lock up: the message is available again (deferred again if it was deferred),
    /// or dead-lettered with `MaxDeliveryCountExceeded` once it was delivered max-delivery-count times.
    /// `changes`: application properties to set on the message (the .NET SDK's properties to modify).
    public func abandon(_ entity: String, lockToken: String, modifying changes: ApplicationPropertyChanges? = nil) throws(WharfError) {
        try DurableWaits.waitBlocking(try writeAbandon(entity, lockToken: lockToken, modifying: changes))
    }

    /// `abandon` without waiting for its journal entry's fdatasync: the message is available
    /// again when this returns, and the abandon holds once every wait reported success (a
    /// listener answers then). Past the max delivery count it is dead-lettered (`beginDeadLetter`).
    public func writeAbandon(_ entity: String, lockToken: String, modifying changes: ApplicationPropertyChanges? = nil) throws(WharfError) -> [DurabilityWait] {
        try changes?.validate()
        let e = try self.entity(entity)
        let settled = try e.settle(lockToken, .abandon, now: clock.nowMillis(), modifying: changes)
        if let m = settled.move { return [try beginDeadLetter(m, from: e, modifying: changes).1] }
        return Self.waits(settled.pending)
    }

    /// Gives the lock up without counting the delivery (AMQP `released`: the receiver never
    /// looked at the message, e.g. a prefetched one it did not need). A deferred message stays deferred.
    public func release(_ entity: String, lockToken: String) throws(WharfError) {
        try DurableWaits.waitBlocking(try writeRelease(entity, lockToken: lockToken))
    }

    /// `release` without waiting for its journal entry's fdatasync (see `writeAbandon`).
    public func writeRelease(_ entity: String, lockToken: String) throws(WharfError) -> [DurabilityWait] {
        Self.waits(try self.entity(entity).settle(lockToken, .release, now: clock.nowMillis()).pending)
    }

    /// Defers: the message stays, receivable only by sequence number.
    public func deferMessage(_ entity: String, lockToken: String, modifying changes: ApplicationPropertyChanges? = nil) throws(WharfError) {
        try DurableWaits.waitBlocking(try writeDeferral(entity, lockToken: lockToken, modifying: changes))
    }

    /// `deferMessage` without waiting for its journal entry's fdatasync (see `writeAbandon`).
    public func writeDeferral(_ entity: String, lockToken: String, modifying changes: ApplicationPropertyChanges? = nil) throws(WharfError) -> [DurabilityWait] {
        try changes?.validate()
        return Self.waits(try self.entity(entity).settle(lockToken, .deferral, now: clock.nowMillis(), modifying: changes).pending)
    }

    static func waits(_ pending: PendingAppend?) -> [DurabilityWait] {
        pending.map { p in [{ p.whenDurable($0) }] } ?? []
    }

    /// Moves a locked message to the dead-letter queue with an application-chosen reason.
    /// Returns its sequence number in the dead-letter target.
    @discardableResult
    public func deadLetter(_ entity: String, lockToken: String, reason: String? = nil,
                           description: String? = nil, modifying changes: ApplicationPropertyChanges? = nil) throws(WharfError) -> Int64 {
        let (seq, done) = try beginDeadLetter(entity, lockToken: lockToken, reason: reason, description: description, modifying: changes)
        try DurableWaits.waitBlocking([done])
        return seq
    }

    /// `deadLetter` without waiting for the disk: the message has left the entity when this
    /// returns, and the move holds once the wait reports success (see `beginMove`).
    public func writeDeadLetter(_ entity: String, lockToken: String, reason: String? = nil, description: String? = nil,
                                modifying changes: ApplicationPropertyChanges? = nil) throws(WharfError) -> [DurabilityWait] {
        [try beginDeadLetter(entity, lockToken: lockToken, reason: reason, description: description, modifying: changes).1]
    }

    private func beginDeadLetter(_ entity: String, lockToken: String, reason: String?, description: String?,
                                 modifying changes: ApplicationPropertyChanges?) throws(WharfError) -> (Int64, DurabilityWait) {
        try changes?.validate()
        let e = try self.entity(entity)
        guard let m = try e.settle(lockToken, .deadLetter(reason: reason, description: description), now: clock.nowMillis()).move else {
            preconditionFailure("dead-letter settlement always returns a move")
        }
        return try beginDeadLetter(m, from: e, modifying: changes)
    }

    /// Extends a message lock; returns the new locked-until time.
    public func renewLock(_ entity: String, lockToken: String) throws(WharfError) -> Int64 {
        try self.entity(entity).renewLock(lockToken, now: clock.nowMillis())
    }

    // Settlement of a received message (its entity and lock token).
    public func complete(_ message: QueueMessage) throws(WharfError) {
        try complete(message.entity, lockToken: try Self.token(message))
    }

    public func abandon(_ message: QueueMessage) throws(WharfError) {
        try abandon(message.entity, lockToken: try Self.token(message))
    }

    public func deferMessage(_ message: QueueMessage) throws(WharfError) {
        try deferMessage(message.entity, lockToken: try Self.token(message))
    }

    @discardableResult
    public func deadLetter(_ message: QueueMessage, reason: String? = nil, description: String? = nil) throws(WharfError) -> Int64 {
        try deadLetter(message.entity, lockToken: try Self.token(message), reason: reason, description: description)
    }

    static func token(_ m: QueueMessage) throws(WharfError) -> String {
        guard let t = m.lockToken else {
            throw .invalidArgument("message \(m.sequenceNumber) of \(m.entity) was not received in peek-lock mode: nothing to settle")
        }
        return t
    }

    // MARK: - Sessions

    /// Accepts `sessionId`, or the next available session when nil (`.sessionCannotBeLocked` if
    /// it is held by another receiver or none is available). It does not wait for the disk (a
    /// listener's event loop calls it): due maintenance runs off the caller's thread
    /// (`maintainSoon`), and the pick already counts what it would release.
    public func acceptSession(_ queue: String, sessionId: String? = nil) throws(WharfError) -> SessionLock {
        let e = try entity(queue)
        maintainSoon(e)
        return try e.acceptSession(sessionId, now: clock.nowMillis())
    }

    /// Receives the session's messages in sequence order.
    public func receive(_ session: SessionLock, max: Int = 1, mode: ReceiveMode = .peekLock) throws(WharfError) -> [QueueMessage] {
        let e = try entity(session.entity)
        _ = try maintain(e)
        return try e.receive(max: max, mode: mode, sessionToken: session.lockToken, now: clock.nowMillis())
    }

    /// `receive` (of `session`'s messages, when given) without waiting for durability: the
    /// messages are locked (or, receive-and-delete, removed) and may be handed out once every
    /// one of `QueueReceived.waits` reported success. A listener's event loop serves other
    /// connections meanwhile, and their journal writes share the fdatasync. The entity's
    /// maintenance, when due, runs off the caller's thread (`maintainSoon`).
    public func beginReceive(_ entity: String, session: SessionLock? = nil, max: Int = 1,
                             mode: ReceiveMode = .peekLock) throws(WharfError) -> QueueReceived {
        let e = try self.entity(session?.entity ?? entity)
        maintainSoon(e)
        let (messages, pending) = try e.beginReceive(max: max, mode: mode, sessionToken: session?.lockToken, now: clock.nowMillis())
        return QueueReceived(messages: messages, waits: Self.waits(pending))
    }

    public func renewSessionLock(_ session: SessionLock) throws(WharfError) -> Int64 {
        try entity(session.entity).renewSessionLock(session.lockToken, now: clock.nowMillis())
    }

    /// Releases the session; its unsettled messages return without a counted delivery.
    public func closeSession(_ session: SessionLock) throws(WharfError) {
        try entity(session.entity).closeSession(session.lockToken, now: clock.nowMillis())
    }

    public func sessionState(_ session: SessionLock) throws(WharfError) -> [UInt8]? {
        try entity(session.entity).sessionState(session.lockToken, now: clock.nowMillis())
    }

    /// Sets the session state (nil clears it); durable.
    public func setSessionState(_ session: SessionLock, _ state: [UInt8]?) throws(WharfError) {
        try entity(session.entity).setSessionState(session.lockToken, state, now: clock.nowMillis())
    }
}
