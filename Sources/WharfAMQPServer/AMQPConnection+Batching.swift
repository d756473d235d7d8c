import WharfAMQP
import WharfCore
import WharfEngine

/// Per-read batching of the engine work (issue 15's throughput aims): the messages of every
/// transfer one socket read brought in are stored with one log append per entity, and the
/// completions of its dispositions journaled with one write per entity, instead of one each.
///
/// Order is kept where it is visible: a delivery is acknowledged (`accepted`) only once its
/// message is stored (durable as the `--fsync` policy makes an append), and everything pending
/// is written before any frame other than transfer, disposition or flow is handled, before a
/// `$management` request, when the connection fails or closes, and at the end of each read
/// (`AMQPChannelHandler`). Under `always` the acknowledgements wait for the fdatasync off the
/// event loop (`awaitDurable`): the loop serves other connections meanwhile, and their sends
/// share the next fdatasync. A client sees its message acknowledged only once it is durable,
/// and receivable (anyone's receive) from the same moment.
extension AMQPConnection {
    /// A whole client delivery on a sender link, not stored yet.
    struct PendingSend {
        var channel: UInt16
        /// nil when the client sent it settled (it gets no disposition).
        var deliveryId: UInt32?
        var entity: String
        var messages: Result<[OutgoingMessage], WharfError>
    }

    /// A peek-locked message the client accepted, not completed yet.
    struct PendingCompletion {
        var channel: UInt16
        var deliveryId: UInt32
        var entity: String
        var lockToken: String
        /// The client left it unsettled: Wharf answers with a settled disposition.
        var echo: Bool
    }

    func endOfRead() { flushPending() }

    func flushPending() {
        flushSends()
        flushCompletions()
    }

    private func flushSends() {
        guard !pendingSends.isEmpty else { return }
        let pending = pendingSends
        pendingSends.removeAll(keepingCapacity: true)
        var outcomes = Array(repeating: DeliveryState.accepted, count: pending.count)
        var written: [(sends: QueueSends, owners: [Int])] = []
        var start = 0
        while start < pending.count {
            // A run of deliveries to one entity: one store call.
            let entity = pending[start].entity
            var end = start
            var messages: [OutgoingMessage] = []
            var owners: [Int] = []
            while end < pending.count, pending[end].entity == entity {
                switch pending[end].messages {
                case .success(let ms):
                    messages += ms
                    owners += Array(repeating: end, count: ms.count)
                case .failure(let error):
                    outcomes[end] = .rejected(Self.amqpError(error))
                }
                end += 1
            }
            written.append((queues.write(entity, messages), owners))
            start = end
        }
        // Unsettled sends must get a settled disposition, or send_messages() waits forever
        // (reference §0.2 #6): one per run of consecutive ids with the same outcome.
        let answers = pending.map { p in (channel: p.channel, deliveryId: p.deliveryId) }
        let answer = { [self] (failure: WharfError?) in
            for (sends, owners) in written {
                for (owner, result) in zip(owners, failure.map { sends.results(failedBy: $0) } ?? sends.results) {
                    switch result {
                    case .success: storedMessages = true
                    case .failure(let error):
                        if outcomes[owner] == .accepted { outcomes[owner] = .rejected(Self.amqpError(error)) }
                    }
                }
            }
            sendSettled(zip(answers, outcomes).compactMap { a, outcome in
                a.deliveryId.map { SettledOutcome(channel: a.channel, deliveryId: $0, state: outcome) }
            }, isReceiver: true)
        }
        let count = pending.count
        sendsAwaitingDurability += count
        whenDurable(written.flatMap(\.sends.waits)) { [self] failure in
            sendsAwaitingDurability -= count
            answer(failure)
        }
    }

    private func flushCompletions() {
        guard !pendingCompletions.isEmpty else { return }
        let pending = pendingCompletions
        pendingCompletions.removeAll(keepingCapacity: true)
        var failures = [WharfError?](repeating: nil, count: pending.count)
        var byEntity: [String: [Int]] = [:]
        var entities: [String] = []
        for (i, p) in pending.enumerated() {
            if byEntity[p.entity] == nil { entities.append(p.entity) }
            byEntity[p.entity, default: []].append(i)
        }
        var written: [(indices: [Int], completions: QueueCompletions)] = []
        for entity in entities {
            let indices = byEntity[entity]!
            do throws(WharfError) {
                let completions = try queues.writeCompletions(entity, lockTokens: indices.map { pending[$0].lockToken })
                for (i, failure) in zip(indices, completions.results) { failures[i] = failure }
                written.append((indices, completions))
            } catch {
                for i in indices { failures[i] = error }
            }
        }
        // The echoes (for completions the client left unsettled) go out once they are durable.
        let answer = { [self] (failure: WharfError?) in
            if let failure {
                for (indices, completions) in written {
                    for (i, result) in zip(indices, completions.results) where result == nil { failures[i] = failure }
                }
            }
            sendSettled(pending.enumerated().compactMap { i, p in
                guard p.echo else { return nil }
                return SettledOutcome(channel: p.channel, deliveryId: p.deliveryId,
                                      state: failures[i].map { DeliveryState.rejected(Self.amqpError($0)) } ?? .accepted)
            }, isReceiver: false)
        }
        whenDurable(written.flatMap(\.completions.waits), answer)
    }

    /// Calls `answer` once `waits` reported (nil, or the first error): at once when there are
    /// none. Under `--fsync always` the event loop does not wait: `answer` runs on it later, and
    /// the loop serves other connections meanwhile (their writes share the next fdatasync).
    /// Dropped if the connection closed in between.
    func whenDurable(_ waits: [DurabilityWait], _ answer: @escaping (WharfError?) -> Void) {
        if waits.isEmpty { return answer(nil) }
        guard let awaitDurable else {
            // No event loop to come back to (a connection driven directly): wait here.
            do throws(WharfError) { try DurableWaits.waitBlocking(waits) } catch { return answer(error) }
            return answer(nil)
        }
        awaitDurable({ DurableWaits.whenAll(waits, $0) }) { [self] failure in
            guard phase != .closed else { return }
            answer(failure)
        }
    }
}
