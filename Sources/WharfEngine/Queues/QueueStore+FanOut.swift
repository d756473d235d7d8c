import WharfCore

/// Atomic topic fan-out (see `TopicFanOut`): a message sent to a topic is stored in every
/// matching subscription or, after a crash before its intent was durable, in none.
extension QueueStore {
    /// Stores each copy (target path, message) of one topic send: straight when there is at most
    /// one, else under an intent that recovery completes after a crash.
    func fanOut(_ topic: ServiceBusTopic, name: String, _ copies: [(path: String, message: OutgoingMessage)]) throws(WharfError) -> [SendReceipt] {
        guard copies.count > 1, let intents = topic.fanOut else {
            var receipts: [SendReceipt] = []
            for c in copies { receipts.append(try send(c.path, c.message, fanOutMarker: nil)) }
            return receipts
        }
        return try intents.lock.withLock { (_: inout Void) throws(WharfError) -> [SendReceipt] in
            let now = clock.nowMillis()
            let first = try intents.writeIntent(copies.map { ($0.path, QueueMessageCodec.Stored($0.message)) }, now: now)
            var receipts: [SendReceipt] = []
            for (i, c) in copies.enumerated() {
                receipts.append(try send(c.path, c.message, fanOutMarker: Self.fanOutMarker(topic: name, offset: first + Int64(i))))
                try crashPoint("fan-out-copy")
            }
            // The copies must be durable before `done` says so (the logs sync independently).
            for entity in Set(receipts.map(\.entity)) { try self.entity(entity).messages.ensureDurable() }
            try intents.writeDone(first: first, count: copies.count, now: now)
            try intents.trimIfLarge()
            return receipts
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
    /// the intent, in the target and its dead-letter queue) is appended; then the intents are done.
    func recoverFanOuts() throws(WharfError) {
        for (name, topic) in topics.withLock({ $0 }) {
            guard let intents = topic.fanOut else { continue }
            let pending = try intents.pending()
            for p in pending {
                let marker = Self.fanOutMarker(topic: name, offset: p.offset)
                guard let target = try? entity(p.path) else { continue }  // subscription deleted since
                let places = [target] + ((try? entity(QueueNames.deadLetter(of: target.path))).map { [$0] } ?? [])
                var held = false
                for e in places where !held { held = try Self.holds(e, marker: marker, since: p.at) }
                if held { continue }
                var stored = p.stored
                stored.system[QueueMessageCodec.fanOut] = marker
                _ = try target.append(stored, now: clock.nowMillis())
                try target.messages.ensureDurable()
                logger.warning("completed a topic fan-out interrupted by a crash", metadata: ["topic": "\(name)", "subscription": "\(p.path)"])
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
