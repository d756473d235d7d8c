import Foundation
import WharfAMQP
import WharfCore
import WharfEngine

/// Attach, detach and flow (reference §2.1, §3.1-3.3, §4.1-4.3, §6).
extension AMQPConnection {
    static let sessionFilter = "com.microsoft:session-filter"
    static let lockedUntilUtc = "com.microsoft:locked-until-utc"
    /// .NET ticks of the Unix epoch (reference §6).
    static let unixEpochTicks: Int64 = 621_355_968_000_000_000

    func attach(_ a: Attach, _ s: AMQPSession) throws(WharfError) {
        guard s.links[a.handle] == nil else { throw .malformed("AMQP: handle \(a.handle) is already attached") }
        guard s.links.count < limits.maxLinksPerSession else {
            return refuse(a, s, AMQPError(AMQPError.resourceLimitExceeded, "more than \(limits.maxLinksPerSession) links on a session"))
        }
        let address = (a.isReceiver ? a.sourceTerminus : a.targetTerminus)?.address ?? ""
        let path = ServiceBusAddress.path(address)
        var properties: AMQPValue = .null
        var source = a.source
        let role: AMQPLink.Role
        if path.lowercased() == ServiceBusAddress.cbs {
            role = a.isReceiver ? .cbsResponses : .cbsRequests
        } else if let managed = ServiceBusAddress.managedEntity(path) {
            role = a.isReceiver ? .managementResponses : .managementRequests(entity: ServiceBusAddress.entity(managed))
        } else {
            let entity = ServiceBusAddress.entity(path)
            if queues.listTopics().contains(entity) {
                // A topic takes senders only; receivers attach to its subscriptions (reference §3.1).
                guard isAuthorized(entity, for: .send) else { return refuse(a, s, Self.missingClaim(.send, path)) }
                guard !a.isReceiver else {
                    return refuse(a, s, AMQPError(AMQPError.notAllowed, "cannot receive from topic '\(path)': receive from one of its subscriptions"))
                }
                return accept(a, s, role: .sender(entity: entity), source: a.source, properties: .null)
            }
            let options: QueueOptions
            do {
                _ = try queues.runtimeCounts(entity)
                options = try queues.options(QueueNames.parse(entity).queue)
            } catch {
                return refuse(a, s, AMQPError(AMQPError.notFound, "The messaging entity '\(path)' could not be found."))
            }
            let needed: ServiceBusRight = a.isReceiver ? .listen : .send
            guard isAuthorized(entity, for: needed) else { return refuse(a, s, Self.missingClaim(needed, path)) }
            if !a.isReceiver {
                guard !QueueNames.parse(entity).isDeadLetter else {
                    return refuse(a, s, AMQPError(AMQPError.notAllowed, "cannot send to a dead-letter queue"))
                }
                guard SubscriptionNames.parse(entity) == nil else {
                    return refuse(a, s, AMQPError(AMQPError.notAllowed, "cannot send to a subscription: send to its topic"))
                }
                role = .sender(entity: entity)
            } else {
                let mode: ReceiveMode = a.sndSettleMode == 1 ? .receiveAndDelete : .peekLock
                let filter = a.sourceTerminus?.filter ?? .null
                let sessionful = options.requiresSession && !QueueNames.parse(entity).isDeadLetter
                if let wanted = filter[key: Self.sessionFilter] {
                    guard sessionful else { return refuse(a, s, AMQPError(AMQPError.notAllowed, "'\(path)' is not session-enabled")) }
                    let held: SessionLock
                    do {
                        held = try queues.acceptSession(entity, sessionId: wanted.text)
                    } catch {
                        let condition = wanted.text == nil ? AMQPError.timeout : AMQPError.sessionCannotBeLocked
                        return refuse(a, s, AMQPError(condition, error.description))
                    }
                    role = .receiver(entity: entity, mode: mode, session: held)
                    source = Terminus.make(source: true, address: address, filter: .symbolMap([(Self.sessionFilter, .string(held.sessionId))]))
                    properties = .symbolMap([(Self.lockedUntilUtc, .long(held.lockedUntil &* 10_000 &+ Self.unixEpochTicks))])
                } else {
                    guard !sessionful else {
                        return refuse(a, s, AMQPError(AMQPError.notAllowed,
                                                      "It is not possible for an entity that requires sessions to create a non-sessionful message receiver."))
                    }
                    role = .receiver(entity: entity, mode: mode, session: nil)
                }
            }
        }
        accept(a, s, role: role, source: source, properties: properties)
    }

    /// Answers an attach that succeeded and opens the link (credit for client senders).
    private func accept(_ a: Attach, _ s: AMQPSession, role: AMQPLink.Role, source: AMQPValue, properties: AMQPValue) {
        let link = AMQPLink(name: a.name, handle: a.handle, role: role, source: source, target: a.target)
        s.links[a.handle] = link
        let reply = Attach(name: a.name, handle: a.handle, isReceiver: !a.isReceiver, sndSettleMode: a.sndSettleMode,
                           rcvSettleMode: a.isReceiver ? a.rcvSettleMode : 0, source: source, target: a.target,
                           initialDeliveryCount: a.isReceiver ? 0 : nil, maxMessageSize: UInt64(limits.maxMessageSize), properties: properties)
        send(channel: s.channel, .attach(reply))
        if !link.isWharfSending {
            link.creditGranted = Self.senderCredit
            sessionFlow(s, link: link)
        }
    }

    /// Refuses an attach the way Service Bus does: an attach with a null terminus, then a
    /// closing detach carrying the error (reference §3.2).
    private func refuse(_ a: Attach, _ s: AMQPSession, _ error: AMQPError) {
        let reply = Attach(name: a.name, handle: a.handle, isReceiver: !a.isReceiver, sndSettleMode: a.sndSettleMode,
                           rcvSettleMode: a.rcvSettleMode, source: a.isReceiver ? .null : a.source, target: a.isReceiver ? a.target : .null,
                           initialDeliveryCount: a.isReceiver ? 0 : nil)
        send(channel: s.channel, .attach(reply))
        send(channel: s.channel, .detach(Detach(handle: a.handle, closed: true, error: error)))
    }

    func detach(_ d: Detach, _ s: AMQPSession) {
        guard let link = s.links.removeValue(forKey: d.handle) else { return }
        releaseSession(link)
        send(channel: s.channel, .detach(Detach(handle: d.handle, closed: d.closed)))
    }

    func flow(_ f: Flow, _ s: AMQPSession) throws(WharfError) {
        // The client's window for Wharf's transfers (part 2 §2.5.6), less the transfers already
        // counted against it that wait for their lock grants' fdatasync (`pump`).
        let window = (f.nextIncomingId ?? 0) &+ f.incomingWindow &- s.nextOutgoingId
        s.remoteIncomingWindow = window &- min(window, s.transfersAwaitingDurability)
        guard let handle = f.handle else {
            if f.echo { sessionFlow(s) }
            // A window that reopens lets the links with credit go on at once (pyamqp reopens its
            // window with a session flow when it has taken all of it).
            for link in s.links.values where link.isWharfSending && link.credit > 0 { pump(link, s) }
            return
        }
        guard let link = s.links[handle] else { return }
        if link.isWharfSending {
            // Credit is absolute: delivery-count(rcv) + link-credit(rcv) - delivery-count(snd) (reference §4.3).
            let credit = f.linkCredit ?? 0
            link.credit = f.deliveryCount.map { $0 &+ credit &- link.deliveryCount } ?? credit
            if link.credit > 1_000_000 { link.credit = credit }  // a count from the past: take the credit as given
            link.drain = f.drain
            pump(link, s)
            if f.echo, !f.drain { sessionFlow(s, link: link) }
        } else if f.echo {
            // A sender's own flow is not a grant (reference §0.2 #11); answer an echo request only.
            sessionFlow(s, link: link)
        }
    }

    /// Every receiver link with credit gets what is available (called after flows and by the
    /// listener's timer, so messages sent by other connections arrive).
    func pumpAll() {
        guard phase == .opened else { return }
        for s in sessions.values {
            for link in s.links.values where link.credit > 0 || link.drain { pump(link, s) }
        }
    }
}
