import WharfCore

/// Atomic topic fan-out (see `TopicFanOut`): a message sent to a topic is stored in every
/// matching subscription or, after a crash before its intent was durable, in none; without a
/// thread waiting for the disk.
extension QueueStore {
    /// Begins writing `copies` of a send's `messageCount` messages to `topic`'s subscriptions:
    /// the intent is written now (when a message has more than one copy), the copies once it is
    /// durable and the batches before this one wrote theirs. The batch says when it is answered.
    func beginFanOut(_ topic: ServiceBusTopic, name: String, messageCount: Int,
                     _ copies: [TopicFanOutBatch.Copy]) throws(WharfError) -> TopicFanOutBatch {
        guard let intents = topic.fanOut else {
            // No intent log (it could not be opened): the copies at once, not atomically.
            let batch = TopicFanOutBatch(topic: name, messageCount: messageCount, copies: copies, intent: nil)
            copiesWritten(batch, writeCopies(of: batch), intents: nil)
            return batch
        }
        let now = clock.nowMillis()
        let (batch, intentEnd) = try intents.pipeline.withLock { (p: inout TopicFanOut.Pipeline) throws(WharfError) -> (TopicFanOutBatch, Int64?) in
            let intent = TopicFanOutBatch.needsIntent(copies) ? try intents.writeIntent(copies, now: now) : nil
            let batch = TopicFanOutBatch(topic: name, messageCount: messageCount, copies: copies, intent: intent)
            p.waiting.append(batch)
            p.unfinished += 1
            return (batch, intent?.end)
        }
        if let intentEnd {
            // Forced whatever the policy: a copy on disk without its intent could not be completed.
            intents.log.whenDurable(upTo: intentEnd) { [self] error in intentSettled(batch, error, intents: intents) }
        } else {
            intentSettled(batch, nil, intents: intents)
        }
        return batch
    }

    /// `batch`'s intent is durable (or failed): the copies of every batch at the head of the
    /// pipeline whose intent is settled are written, in order. They are written outside the
    /// pipeline's lock (a send writing its intent takes it) by one thread at a time: the one that
    /// finds no other writing takes the queued batches one by one until none is left, and a
    /// thread that settles an intent meanwhile only queues its batches for it.
    private func intentSettled(_ batch: TopicFanOutBatch, _ error: WharfError?, intents: TopicFanOut) {
        let writes = intents.pipeline.withLock { p -> Bool in
            p.intentsSettled[ObjectIdentifier(batch)] = .some(error)
            while let head = p.waiting.first, let settled = p.intentsSettled.removeValue(forKey: ObjectIdentifier(head)) {
                p.waiting.removeFirst()
                p.toWrite.append((head, settled))
            }
            guard !p.writingCopies, !p.toWrite.isEmpty else { return false }
            p.writingCopies = true
            return true
        }
        guard writes else { return }
        while let next = intents.pipeline.withLock({ p -> (batch: TopicFanOutBatch, error: WharfError?)? in
            guard !p.toWrite.isEmpty else { p.writingCopies = false; return nil }
            return p.toWrite.removeFirst()
        }) {
            // A wait already covered calls back at once, and `finish` takes the lock again.
            copiesWritten(next.batch, next.error.map { .failure($0) } ?? writeCopies(of: next.batch), intents: intents)
        }
    }

    /// Writes `batch`'s copies (a subscription deleted since is skipped) and records its receipts:
    /// a plain subscription's copies with one log write, the others one by one through the send
    /// path (forwarding, sessions, duplicate detection). A failure stops it: the copies written
    /// stay, and the next open completes the intent.
    private func writeCopies(of batch: TopicFanOutBatch) -> Result<[QueueEntity.Written], WharfError> {
        var copyReceipts: [SendReceipt?] = Array(repeating: nil, count: batch.copies.count)
        var written: [QueueEntity.Written] = []
        var paths: [String] = []
        var indices: [String: [Int]] = [:]
        // Copies that share an intent record are equal and carry the same marker: built and
        // encoded once, and the same bytes written to each subscription (all enqueued at `now`).
        let now = clock.nowMillis()
        var encodedOfRecord = [QueueEntity.Encoded?](repeating: nil, count: batch.intent?.records ?? 0)
        func encoded(_ i: Int) -> QueueEntity.Encoded {
            let record = batch.intent?.recordOfCopy[i]
            if let record, let e = encodedOfRecord[record] { return e }
            var s = QueueMessageCodec.Stored(batch.copies[i].copy)
            s.system[QueueMessageCodec.fanOut] = batch.marker(ofCopy: i)
            let e = QueueEntity.Encoded(s, enqueuedAt: now)
            if let record { encodedOfRecord[record] = e }
            return e
        }
        for (i, c) in batch.copies.enumerated() {
            if indices[c.path] == nil { paths.append(c.path) }
            indices[c.path, default: []].append(i)
        }
        do throws(WharfError) {
            for path in paths {
                let mine = indices[path]!
                if mine.count > 1, let e = plainEntity(path) {
                    let w = try e.write(mine.map(encoded), now: now)
                    for (i, seq) in zip(mine, w.sequenceNumbers) {
                        let scheduled = (batch.copies[i].copy.scheduledEnqueueTime ?? now) > now
                        copyReceipts[i] = SendReceipt(entity: e.path, sequenceNumber: seq, disposition: scheduled ? .scheduled : .enqueued)
                    }
                    written.append(w)
                    try crashPoint("fan-out-copy")
                    continue
                }
                for i in mine {
                    let sent: WrittenSend
                    do throws(WharfError) {
                        sent = try write(path, batch.copies[i].copy, fanOutMarker: batch.marker(ofCopy: i))
                    } catch .unknownQueue(let name) where name == path {
                        break  // the subscription was deleted since the send matched it
                    }
                    copyReceipts[i] = sent.receipt
                    if let w = sent.written { written.append(w) }
                    try crashPoint("fan-out-copy")
                }
            }
        } catch {
            return .failure(error)
        }
        // Each message's receipt is its first copy's (copies are in subscription order).
        var receipts: [SendReceipt?] = Array(repeating: nil, count: batch.messageCount)
        for (i, c) in batch.copies.enumerated() where receipts[c.message] == nil { receipts[c.message] = copyReceipts[i] }
        batch.setReceipts(receipts.map { $0 ?? SendReceipt(entity: batch.topic, sequenceNumber: nil, disposition: .enqueued) })
        return .success(written)
    }

    /// The copies are written: the batch is answered once they are durable as the policy promises,
    /// and its intent is done once an fdatasync covers them whatever the policy.
    private func copiesWritten(_ batch: TopicFanOutBatch, _ outcome: Result<[QueueEntity.Written], WharfError>, intents: TopicFanOut?) {
        let written: [QueueEntity.Written]
        switch outcome {
        case .failure(let error):
            batch.outcome.answer(error)
            return finish(batch, intents: intents, done: false)
        case .success(let w): written = w
        }
        DurableWaits.whenAll(written.map { w in { w.whenDurable($0) } }) { batch.outcome.answer($0) }
        guard batch.intent != nil else { return finish(batch, intents: intents, done: false) }
        DurableWaits.whenAll(written.map { w in { w.whenSynced($0) } }) { [self] error in
            finish(batch, intents: intents, done: error == nil)
        }
    }

    /// `batch` is over: its intent marked done if `done`, and once none is in flight the intents
    /// trimmed.
    private func finish(_ batch: TopicFanOutBatch, intents: TopicFanOut?, done: Bool) {
        guard let intents else { return }
        intents.pipeline.withLock { p in
            p.unfinished -= 1
            do throws(WharfError) {
                if done, let intent = batch.intent { try intents.writeDone(first: intent.first, count: intent.records, now: clock.nowMillis()) }
                if p.unfinished == 0 { try intents.trimIfLarge() }
            } catch {
                logger.warning("topic fan-out intents not updated (the next open completes them)",
                               metadata: ["topic": "\(batch.topic)", "error": "\(error)"])
            }
        }
    }

    static func fanOutMarker(topic: String, offset: Int64) -> String { "\(topic)#\(offset)" }

    /// The test seam of `crashHook` at `point`.
    func crashPoint(_ point: String) throws(WharfError) {
        if let hook = crashHook.withLock({ $0 }) {
            do { try hook(point) } catch { throw .io("simulated crash at \(point): \(error)") }
        }
    }

    /// Rolls forward the fan-outs a crash interrupted (on open, after `recoverMoves`): each copy
    /// whose target holds no record with its marker (looked for among the records appended since
    /// the intent, in the target, the entities its forwarding leads to, and their dead-letter
    /// queues) is stored as its send would have stored it (`store(_:along:)`: at the end of the
    /// forwarding, dead-lettered, or dropped by duplicate detection as of the send); then the
    /// intents are done.
    func recoverFanOuts() throws(WharfError) {
        for (name, topic) in topics.withLock({ $0 }) {
            guard let intents = topic.fanOut else { continue }
            let pending = try intents.pending()
            for p in pending {
                let marker = Self.fanOutMarker(topic: name, offset: p.offset)
                for path in p.paths {
                    guard let target = try? entity(path) else { continue }  // subscription deleted since
                    let forwarding = forwarding(from: target)
                    let chain = forwarding.entities
                    let places = chain + chain.compactMap { try? entity(QueueNames.deadLetter(of: $0.path)) }
                    var held = false
                    for e in places where !held { held = try Self.holds(e, marker: marker, since: p.at) }
                    if held { continue }
                    var stored = p.stored
                    stored.system[QueueMessageCodec.fanOut] = marker
                    let sent = try store(stored, along: forwarding, now: clock.nowMillis(), duplicatesAsOf: p.at)
                    if let written = sent.written {
                        try written.durableBlocking()
                        try written.entity.messages.ensureDurable()
                    }
                    logger.warning("completed a topic fan-out interrupted by a crash",
                                   metadata: ["topic": "\(name)", "subscription": "\(path)", "stored in": "\(sent.receipt.entity)",
                                              "disposition": "\(sent.receipt.disposition)"])
                }
            }
            if !pending.isEmpty {
                let first = intents.log.logStartOffset
                try intents.writeDone(first: first, count: Int(intents.log.logEndOffset - first), now: clock.nowMillis())
                try intents.log.ensureDurable()
            }
            _ = try intents.log.deleteRecords(before: intents.log.logEndOffset)
        }
    }

    /// Whether `e` holds a record with fan-out marker `marker`, among those stored at or after
    /// `since` (a minute earlier, against a clock stepped back).
    static func holds(_ e: QueueEntity, marker: String, since: Int64) throws(WharfError) -> Bool {
        let from = (try e.messages.offset(forTimestamp: since &- 60_000)) ?? e.messages.logEndOffset
        var next = max(from, e.messages.logStartOffset)
        let end = e.messages.logEndOffset
        while next < end {
            let fetched = try e.messages.read(from: next, maxBytes: 1 << 20)
            guard !fetched.bytes.isEmpty else { break }
            let records: [StoredRecord]
            do { records = try RecordBatchReader.records(in: fetched.bytes, fromOffset: next) } catch {
                throw .corrupt("cannot decode \(e.path) at offset \(next): \(error)")
            }
            guard let last = records.last else { break }
            if records.contains(where: { r in r.headers.contains { $0.key == QueueMessageCodec.fanOut && $0.value == Array(marker.utf8) } }) {
                return true
            }
            next = last.offset + 1
        }
        return false
    }
}
