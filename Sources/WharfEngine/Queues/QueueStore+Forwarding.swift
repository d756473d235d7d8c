import WharfCore

/// Where a message sent to an entity is stored: auto-forwarding (`forwardTo`) carries it on, hop
/// by hop, to the first entity that does not forward, and past `QueueReasons.maxTransferHops`
/// hops it is dead-lettered where it got to. A send and a fan-out's recovery after a crash both
/// follow it here, so a recovered copy ends where its send would have put it.
extension QueueStore {
    struct Forwarding {
        enum End {
            /// The last entity of the chain does not forward: the message is stored there.
            case reached
            /// The last entity forwards, but the message has made the most hops it may.
            case tooManyHops
            /// The last entity forwards to one that cannot be opened (deleted since, say).
            case broken(WharfError)
        }

        /// The entity sent to, then each one the forwarding led to (a cycle repeats them).
        let chain: [QueueEntity]
        let end: End

        var last: QueueEntity { chain[chain.count - 1] }
        var hops: Int { chain.count - 1 }
        /// The chain's entities, each once.
        var entities: [QueueEntity] {
            var seen: [QueueEntity] = []
            for e in chain where !seen.contains(where: { $0 === e }) { seen.append(e) }
            return seen
        }
    }

    func forwarding(from target: QueueEntity) -> Forwarding {
        var chain = [target]
        while let next = chain[chain.count - 1].state.withLock({ $0.options.forwardTo }) {
            if chain.count > QueueReasons.maxTransferHops { return Forwarding(chain: chain, end: .tooManyHops) }
            do throws(WharfError) { chain.append(try entity(next)) } catch { return Forwarding(chain: chain, end: .broken(error)) }
        }
        return Forwarding(chain: chain, end: .reached)
    }

    /// Stores `stored`, a message sent to `forwarding.chain[0]`, as the send does: at the end of the
    /// forwarding (with its hop count), or in that entity's dead-letter queue when it made too many
    /// hops or has no session id where sessions are required; dropped when duplicate detection has
    /// seen its id within the window before `duplicatesAsOf`. A broken forwarding stores it at the
    /// last entity that could be opened (a send refuses it before, with that error).
    func store(_ stored: QueueMessageCodec.Stored, along forwarding: Forwarding, now: Int64,
               duplicatesAsOf: Int64) throws(WharfError) -> WrittenSend {
        var stored = stored
        if forwarding.hops > 0 { stored.system[QueueMessageCodec.hopCount] = String(forwarding.hops) }
        let entity = forwarding.last
        if case .tooManyHops = forwarding.end {
            return try brokerDeadLetter(stored, in: entity, reason: QueueReasons.maxTransferHopCountExceeded,
                                        description: QueueReasons.maxTransferHopCountExceededDescription, now: now)
        }
        if entity.state.withLock({ $0.options.requiresSession }), stored.sessionIdValue == nil {
            return try brokerDeadLetter(stored, in: entity, reason: QueueReasons.sessionIdIsNull,
                                        description: QueueReasons.sessionIdIsNullDescription, now: now)
        }
        let written = try entity.write([stored], now: now, duplicatesAsOf: duplicatesAsOf)
        if written.isDuplicate {
            return WrittenSend(receipt: SendReceipt(entity: entity.path, sequenceNumber: nil, disposition: .duplicate), written: written)
        }
        let scheduled = (stored.scheduledTime ?? now) > now
        return WrittenSend(receipt: SendReceipt(entity: entity.path, sequenceNumber: written.sequenceNumbers[0],
                                                disposition: scheduled ? .scheduled : .enqueued), written: written)
    }

    /// A message the broker refuses goes straight to the entity's dead-letter queue (one write).
    private func brokerDeadLetter(_ message: QueueMessageCodec.Stored, in e: QueueEntity, reason: String, description: String,
                                  now: Int64) throws(WharfError) -> WrittenSend {
        var stored = message
        stored.system[QueueMessageCodec.scheduled] = nil
        Self.markDeadLettered(&stored, reason: reason, description: description, source: e.path, deliveryCount: 0)
        let dlq = try entity(QueueNames.deadLetter(of: e.path))
        let written = try dlq.write([stored], now: now)
        logger.debug("dead-lettered on send", metadata: ["entity": "\(e.path)", "reason": "\(reason)"])
        return WrittenSend(receipt: SendReceipt(entity: dlq.path, sequenceNumber: written.sequenceNumbers[0], disposition: .deadLettered),
                           written: written)
    }
}
