import Foundation
import WharfCore

extension QueueStore {
    /// Sends `messages` to `queue` in order, one result per message, as `send` would one by one;
    /// but to a plain queue (no forwarding, sessions or duplicate detection, not a topic) the
    /// valid ones are stored with one log append (one fsync under `always`), which is what lets
    /// a listener store everything one read brought in a single write. Every other entity takes
    /// the per-message path.
    /// Throws the first reason `send` would refuse one of `messages` on its own (a reserved
    /// property name, the TTL, the session id, the partition key), before anything is stored:
    /// Service Bus takes a batch whole or not at all, so a listener checks a batch with this first.
    public static func checkSendable(_ messages: [OutgoingMessage]) throws(WharfError) {
        for message in messages { try QueueMessageCodec.validate(message) }
    }

    public func send(_ queue: String, _ messages: [OutgoingMessage]) -> [Result<SendReceipt, WharfError>] {
        let sends = write(queue, messages)
        do throws(WharfError) {
            try sends.durableBlocking()
            return sends.results
        } catch {
            return sends.results(failedBy: error)
        }
    }

    /// `send(_:_:)` without waiting for durability: every message is written (or refused) when
    /// this returns, and its result holds once every one of `QueueSends.waits` reports success. Lets a
    /// listener go on reading other connections while an fdatasync runs (see `QueueEntity+Writes`).
    public func write(_ queue: String, _ messages: [OutgoingMessage]) -> QueueSends {
        if topicExists(queue) { return writeToTopic(queue, messages) }
        guard messages.count > 1, let e = plainEntity(queue) else {
            var written: [QueueEntity.Written] = []
            let results = messages.map { m in
                Result { () throws(WharfError) -> SendReceipt in
                    let sent = try write(queue, m, fanOutMarker: nil)
                    if let w = sent.written { written.append(w) }
                    return sent.receipt
                }
            }
            return QueueSends(results: results, written: written)
        }
        var results: [Result<SendReceipt, WharfError>?] = Array(repeating: nil, count: messages.count)
        var batch: [QueueMessageCodec.Stored] = []
        var slots: [Int] = []
        for (i, message) in messages.enumerated() {
            do throws(WharfError) {
                try QueueMessageCodec.validate(message)
            } catch {
                results[i] = .failure(error)
                continue
            }
            var stored = QueueMessageCodec.Stored(message)
            if stored.messageId.isEmpty { stored.messageId = RandomUUID.lowercasedString() }
            batch.append(stored)
            slots.append(i)
        }
        var written: [QueueEntity.Written] = []
        if !batch.isEmpty {
            let now = clock.nowMillis()
            do throws(WharfError) {
                let w = try e.write(batch, now: now)
                written.append(w)
                for (slot, seq) in zip(slots, w.sequenceNumbers) {
                    let scheduled = (messages[slot].scheduledEnqueueTime ?? now) > now
                    results[slot] = .success(SendReceipt(entity: e.path, sequenceNumber: seq, disposition: scheduled ? .scheduled : .enqueued))
                }
            } catch {
                for slot in slots { results[slot] = .failure(error) }
            }
        }
        return QueueSends(results: results.map { $0! }, written: written)
    }

    /// `path`'s entity if a send there is just a write to its log: no forwarding, sessions or
    /// duplicate detection, and not a dead-letter queue (nil otherwise, or if it does not exist).
    func plainEntity(_ path: String) -> QueueEntity? {
        guard let e = try? entity(path), !e.isDeadLetter,
              e.state.withLock({ $0.options.forwardTo == nil && !$0.options.requiresSession && !$0.options.requiresDuplicateDetection })
        else { return nil }
        return e
    }

    /// `write` to a topic: the valid messages go out as one fan-out (`beginPublish`), answered
    /// together. Their receipts name the topic: the copies are written only once the fan-out's
    /// intent is durable, after this returns.
    private func writeToTopic(_ topic: String, _ messages: [OutgoingMessage]) -> QueueSends {
        var results: [Result<SendReceipt, WharfError>] = []
        var valid: [OutgoingMessage] = []
        for message in messages {
            do throws(WharfError) {
                try QueueMessageCodec.validate(message)
                valid.append(message)
                results.append(.success(SendReceipt(entity: topic, sequenceNumber: nil, disposition: .enqueued)))
            } catch {
                results.append(.failure(error))
            }
        }
        guard !valid.isEmpty else { return QueueSends(results: results, written: []) }
        do throws(WharfError) {
            return QueueSends(results: results, written: [], fanOut: try beginPublish(topic, valid))
        } catch {
            return QueueSends(results: QueueSends(results: results, written: []).results(failedBy: error), written: [])
        }
    }
}
