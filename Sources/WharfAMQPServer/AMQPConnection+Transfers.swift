import Foundation
import WharfAMQP
import WharfCore
import WharfEngine

/// Messages in both directions and their settlement (reference §3.4-3.6, §4.4-4.6).
extension AMQPConnection {
    // MARK: - Client -> Wharf

    func transfer(_ t: Transfer, payload: [UInt8], _ s: AMQPSession) throws(WharfError) {
        guard let link = s.links[t.handle], !link.isWharfSending else { throw .malformed("AMQP: transfer on unknown handle \(t.handle)") }
        if let id = t.deliveryId { s.nextIncomingId = id &+ 1 }
        s.transfersSinceFlow += 1
        var d = link.partial ?? AMQPLink.PartialDelivery(deliveryId: t.deliveryId, settled: t.settled ?? false,
                                                         messageFormat: t.messageFormat, payload: [], tooLarge: false)
        if d.payload.count + payload.count > limits.maxMessageSize {
            d.tooLarge = true
            d.payload = []
        } else if !d.tooLarge {
            // A delivery in one frame (the common case) keeps the frame's bytes: no copy.
            if d.payload.isEmpty { d.payload = payload } else { d.payload += payload }
        }
        if t.more && !t.aborted {
            link.partial = d
            return
        }
        link.partial = nil
        link.received &+= 1
        if !t.aborted { deliver(d, on: link, s) }
        if s.transfersSinceFlow >= 100 { sessionFlow(s) }
        // Top the credit up long before it runs out (pyamqp ignores it; other clients do not).
        if link.creditGranted &- link.received < Self.senderCredit / 2 {
            link.creditGranted = link.received &+ Self.senderCredit
            sessionFlow(s, link: link)
        }
    }

    /// A whole delivery from the client: stored (sender links) or answered (CBS, `$management`).
    private func deliver(_ d: AMQPLink.PartialDelivery, on link: AMQPLink, _ s: AMQPSession) {
        var outcome = DeliveryState.accepted
        if d.tooLarge {
            outcome = .rejected(AMQPError(AMQPError.messageSizeExceeded, "the message is larger than \(limits.maxMessageSize) bytes"))
        } else {
            switch link.role {
            case .sender(let entity):
                // Stored with the rest of this read, and acknowledged once stored (`flushSends`).
                // A batch is all or nothing, as Service Bus takes it: a message the engine would
                // refuse rejects the whole delivery before any of it is stored.
                let messages = Result { () throws(WharfError) in
                    let messages = try ServiceBusMessageMapping.incoming(d.payload, messageFormat: d.messageFormat)
                    try QueueStore.checkSendable(messages)
                    return messages
                }
                pendingSends.append(PendingSend(channel: s.channel, deliveryId: d.settled ? nil : d.deliveryId, entity: entity, messages: messages))
                return
            case .cbsRequests: answerPutToken(d.payload, s)
            case .managementRequests(let entity):
                // A request sees every send and completion that came before it.
                flushPending()
                answerManagement(d.payload, entity: entity, s)
            default: break
            }
        }
        // Unsettled sends must get a settled disposition, or send_messages() waits forever (reference §0.2 #6).
        guard !d.settled, let id = d.deliveryId else { return }
        send(channel: s.channel, .disposition(Disposition(isReceiver: true, first: id, last: id, settled: true, state: outcome.value)))
    }

    static func amqpError(_ e: WharfError) -> AMQPError {
        switch e {
        case .unknownQueue: AMQPError(AMQPError.notFound, e.description)
        case .messageLockLost: AMQPError(AMQPError.messageLockLost, e.description)
        case .sessionLockLost: AMQPError(AMQPError.sessionLockLost, e.description)
        case .sessionCannotBeLocked: AMQPError(AMQPError.sessionCannotBeLocked, e.description)
        case .messageNotFound: AMQPError(AMQPError.messageNotFound, e.description)
        case .malformed: AMQPError(AMQPError.decodeError, e.description)
        case .invalidArgument, .invalidName: AMQPError(AMQPError.argumentError, e.description)
        default: AMQPError(AMQPError.internalError, e.description)
        }
    }

    // MARK: - Wharf -> client

    /// Sends what a link's credit allows (and the client's session window).
    ///
    /// Under `--fsync always` a batch's journal entries (the lock grants, or receive-and-delete's
    /// removals) must be durable before its transfers go out: the batch's credit and window are
    /// spent at once and its transfers sent when the fdatasync covers them, the loop serving
    /// other connections meanwhile (`whenDurable`). A drain waits for them, then is echoed.
    func pump(_ link: AMQPLink, _ s: AMQPSession) {
        guard case .receiver(let entity, let mode, let held) = link.role else { return }
        while link.credit > 0, s.remoteIncomingWindow > 0, !shouldClose {
            let received: QueueReceived
            do throws(WharfError) {
                received = try queues.beginReceive(entity, session: held, max: Int(min(link.credit, s.remoteIncomingWindow, 256)), mode: mode)
            } catch {
                logger.debug("amqp receive failed", metadata: ["entity": "\(entity)", "error": "\(error)"])
                if case .sessionLockLost = error { closeLink(link, s, error) }
                return
            }
            let batch = received.messages
            if batch.isEmpty { break }
            if received.waits.isEmpty || awaitDurable == nil {
                // Durable already, or no event loop to come back to (a connection driven directly).
                do throws(WharfError) { try DurableWaits.waitBlocking(received.waits) } catch { return closeLink(link, s, error) }
                for m in batch { sendDelivery(m, on: link, mode: mode, s) }
                continue
            }
            let count = UInt32(batch.count)
            link.credit &-= min(link.credit, count)
            s.remoteIncomingWindow &-= min(s.remoteIncomingWindow, count)
            link.deliveryCount &+= count
            link.deliveriesAwaitingDurability += batch.count
            s.transfersAwaitingDurability &+= count
            whenDurable(received.waits) { [self] failure in
                link.deliveriesAwaitingDurability -= batch.count
                s.transfersAwaitingDurability &-= min(s.transfersAwaitingDurability, count)
                guard sessions[s.channel] === s, s.links[link.handle] === link else { return }
                if let failure {
                    // The journal stopped: the locks lapse; the link cannot go on.
                    return closeLink(link, s, failure)
                }
                for m in batch { sendDelivery(m, on: link, mode: mode, s, creditSpent: true) }
                pump(link, s)
            }
        }
        if link.drain, link.deliveriesAwaitingDurability == 0 {
            // Drain: the unused credit is spent and the flow echoed (reference §4.3).
            link.deliveryCount &+= link.credit
            link.credit = 0
            link.drain = false
            sessionFlow(s, link: link, echoDrain: true)
        }
    }

    /// Detaches `link` with `error` (its receive cannot go on).
    private func closeLink(_ link: AMQPLink, _ s: AMQPSession, _ error: WharfError) {
        s.links[link.handle] = nil
        send(channel: s.channel, .detach(Detach(handle: link.handle, closed: true, error: Self.amqpError(error))))
    }

    /// A transfer of `m`; `creditSpent`: its credit, window and delivery-count were taken when
    /// it was received (it waited for its journal entry's fdatasync).
    func sendDelivery(_ m: QueueMessage, on link: AMQPLink, mode: ReceiveMode, _ s: AMQPSession, creditSpent: Bool = false) {
        let id = s.nextOutgoingId
        s.nextOutgoingId &+= 1
        if !creditSpent {
            link.deliveryCount &+= 1
            link.credit &-= min(link.credit, 1)
            s.remoteIncomingWindow &-= min(s.remoteIncomingWindow, 1)
        }
        let settled = mode == .receiveAndDelete
        let tag: [UInt8]
        if let token = m.lockToken, let lockTag = LockToken.deliveryTag(canonical: token) {
            tag = lockTag
            if !settled { s.unsettled[id] = .init(handle: link.handle, entity: m.entity, lockToken: token) }
        } else {
            tag = LockToken.deliveryTag(RandomUUID.next())
        }
        let payload = ServiceBusMessageMapping.delivered(m, peeked: false).encoded()
        sendTransfer(Transfer(handle: link.handle, deliveryId: id, deliveryTag: tag, messageFormat: 0, settled: settled), payload: payload, s)
    }

    /// A transfer split into frames of the client's max-frame-size; continuation frames carry
    /// neither delivery-id nor delivery-tag (reference §0.2 #15).
    func sendTransfer(_ first: Transfer, payload: [UInt8], _ s: AMQPSession) {
        // A transfer performative with a 16-byte tag takes well under 128 bytes: most messages
        // fit without measuring it.
        if payload.count + 8 + 128 <= Int(peerMaxFrameSize) { return send(channel: s.channel, .transfer(first), payload: payload) }
        let room = Int(peerMaxFrameSize) - 8 - AMQPEncoder.encode(first.value).count - 16
        guard payload.count > room, room > 0 else { return send(channel: s.channel, .transfer(first), payload: payload) }
        var offset = 0
        var t = first
        while offset < payload.count {
            let end = min(payload.count, offset + room)
            t.more = end < payload.count
            send(channel: s.channel, .transfer(t), payload: Array(payload[offset..<end]))
            offset = end
            t = Transfer(handle: first.handle, settled: first.settled)
        }
    }

    /// An answer on a CBS or `$management` response link: pre-settled, never held back by credit
    /// (pyamqp grants those links credit once, reference §5.1).
    func sendResponse(_ message: AMQPMessage, on link: AMQPLink, _ s: AMQPSession) {
        let id = s.nextOutgoingId
        s.nextOutgoingId &+= 1
        link.deliveryCount &+= 1
        link.credit &-= min(link.credit, 1)
        s.nextTag &+= 1
        var tag: [UInt8] = []
        tag.appendBigEndian(s.nextTag)
        sendTransfer(Transfer(handle: link.handle, deliveryId: id, deliveryTag: tag, messageFormat: 0, settled: true), payload: message.encoded(), s)
    }

    // MARK: - Settlement

    func disposition(_ d: Disposition, _ s: AMQPSession) {
        guard d.isReceiver else { return }
        let last = d.last ?? d.first
        let ids = last &- d.first < 4_096 ? (0...(last &- d.first)).map { d.first &+ $0 }
            : s.unsettled.keys.filter { $0 &- d.first <= last &- d.first }.sorted()
        let state = (try? DeliveryState(d.state)) ?? nil
        for id in ids {
            guard let u = s.unsettled.removeValue(forKey: id) else { continue }
            var echo = state ?? .accepted
            // Under `--fsync always`, the journal entry's fdatasync (waited for off the loop) comes before the echo.
            var waits: [DurabilityWait] = []
            do throws(WharfError) {
                switch state {
                case .accepted?:
                    // Completed with the rest of this read in one journal write (`flushCompletions`).
                    pendingCompletions.append(PendingCompletion(channel: s.channel, deliveryId: id, entity: u.entity,
                                                                lockToken: u.lockToken, echo: !d.settled))
                    continue
                case .released?, nil, .received?, .other?: waits = try queues.writeRelease(u.entity, lockToken: u.lockToken)
                case .modified(_, let undeliverableHere, let annotations)?:
                    // Key on undeliverable-here only: .NET's abandon sends modified{} (reference §4.6);
                    // its message-annotations are .NET's properties to modify.
                    let changes = try ServiceBusMessageMapping.propertyChanges(annotations)
                    waits = undeliverableHere ? try queues.writeDeferral(u.entity, lockToken: u.lockToken, modifying: changes)
                        : try queues.writeAbandon(u.entity, lockToken: u.lockToken, modifying: changes)
                    echo = .modified(deliveryFailed: false, undeliverableHere: false, annotations: .null)
                case .rejected(let e)?:
                    let reason = e?.info[key: "DeadLetterReason"].flatMap(ServiceBusMessageMapping.text)
                    let description = e?.info[key: "DeadLetterErrorDescription"].flatMap(ServiceBusMessageMapping.text) ?? e?.description
                    // The info's other keys are .NET's properties to modify.
                    let changes = try ServiceBusMessageMapping.propertyChanges(e?.info ?? .null, excluding: ServiceBusMessageMapping.deadLetterInfoKeys)
                    waits = try queues.writeDeadLetter(u.entity, lockToken: u.lockToken, reason: reason, description: description, modifying: changes)
                    // The echo carries no error: an error would be raised to the user (reference §0.2 #7).
                    echo = .rejected(nil)
                }
            } catch {
                echo = .rejected(Self.amqpError(error))
            }
            guard !d.settled else { continue }
            let channel = s.channel
            whenDurable(waits) { [self] failure in
                let state = failure.map { DeliveryState.rejected(Self.amqpError($0)) } ?? echo
                send(channel: channel, .disposition(Disposition(isReceiver: false, first: id, last: id, settled: true, state: state.value)))
            }
        }
    }
}
