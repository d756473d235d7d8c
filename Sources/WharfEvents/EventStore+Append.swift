import WharfCore

extension EventStore {
    /// Appends `events` to `stream` if its state satisfies `expected`, atomically: they get
    /// consecutive revisions and positions and are written as one record batch, so after a crash
    /// all of them or none are in the log.
    ///
    /// Retries: if the event ids were already appended to this stream by an earlier call the
    /// expected version points at, nothing is written and the original result is returned
    /// (`deduplicated` set) once the original is durable; ids are looked up per stream, as
    /// EventStoreDB does. The precise rule, including partial overlaps, is on
    /// `WrittenStream.idempotentResult`.
    ///
    /// Durability follows the store's fsync policy; with `.always` it returns after an fdatasync
    /// that covers the events, shared with every append written meanwhile (group commit), and no
    /// reader sees them before. If the write or fsync fails, the log refuses further appends
    /// until reopened, and the failed append's outcome is unknown: after reopen it may be there,
    /// and retrying it with the same ids is then deduplicated rather than written twice.
    ///
    /// Throws `wrongExpectedVersion` naming the actual revision, `invalidName` for a bad or system
    /// stream name, `invalidArgument` for no events or an id repeated within the call,
    /// `recordTooLarge` when the batch exceeds 8 MiB.
    @discardableResult
    public func append(stream: String, events: [EventData], expected: ExpectedVersion = .any) throws(WharfError) -> WriteResult {
        try StreamName.validate(stream, allowSystem: false)
        return try writeValidated(stream: stream, events: events, expected: expected).durableBlocking()
    }

    /// `append` that may also write system streams (`$`-named), for a front-end speaking
    /// EventStoreDB's protocol, whose clients write the system streams it defines (`$$<stream>`
    /// metadata, `$settings`). `$all` stays refused.
    @discardableResult
    public func appendAllowingSystemStream(stream: String, events: [EventData], expected: ExpectedVersion = .any) throws(WharfError) -> WriteResult {
        try writeAllowingSystemStream(stream: stream, events: events, expected: expected).durableBlocking()
    }

    /// `appendAllowingSystemStream` that returns once the events are written, before they are
    /// durable: a front-end that checks its own rules under a lock of its own writes under it
    /// and waits for `WrittenAppend.durable()` after releasing it, so its appends share
    /// fdatasyncs too. Nothing may be acknowledged before that wait returns.
    public func writeAllowingSystemStream(stream: String, events: [EventData], expected: ExpectedVersion = .any) throws(WharfError) -> WrittenAppend {
        try StreamName.validate(stream, allowSystem: true)
        return try writeValidated(stream: stream, events: events, expected: expected)
    }

    /// `append` without the system-stream check (parked links).
    func appendValidated(stream: String, events: [EventData], expected: ExpectedVersion) throws(WharfError) -> WriteResult {
        try writeValidated(stream: stream, events: events, expected: expected).durableBlocking()
    }

    /// The checks and the log write of an append, under the store's lock; the wait for
    /// durability is the caller's, after it (see `InFlightAppends`).
    func writeValidated(stream: String, events: [EventData], expected: ExpectedVersion) throws(WharfError) -> WrittenAppend {
        guard !events.isEmpty else { throw .invalidArgument("an append needs at least one event") }
        for e in events { try StreamName.validateEventType(e.type) }
        guard Set(events.map(\.id)).count == events.count else { throw .invalidArgument("an append cannot repeat an event id") }
        let (result, durableEnd) = try state.withLock { (s: inout State) throws(WharfError) -> (WriteResult, Int64?) in
            guard !s.closed else { throw closedError }
            let actual: UInt64?
            do {
                // Scoped: it shares the storage of the stream's index entry, which `index.add`
                // below extends in place; alive then, it would make that a copy of the stream.
                let written = WrittenStream(stream, index: s.index, inFlight: s.inFlight)
                if let retry = try written.idempotentResult(stream: stream, events: events, expected: expected) {
                    // A retry of an append still in flight is acknowledged when the original is durable.
                    return (retry, retry.position >= s.index.end ? Int64(retry.position + 1) : nil)
                }
                actual = written.lastRevision
            }
            guard expected.isSatisfied(by: actual) else {
                throw .wrongExpectedVersion(stream: stream, expected: expected.description, actual: actual)
            }
            let first = actual.map { $0 + 1 } ?? 0
            let now = clock.nowMillis()
            var batch = EventRecordCodec.encodeBatch(stream: stream, events: events, firstRevision: first, timestamp: now)
            let pending = try log.write(&batch)
            let position = s.inFlight.end ?? s.index.end
            guard pending.result.baseOffset == Int64(position) else {
                throw .corrupt("$all log assigned position \(pending.result.baseOffset) where the index expected \(position)")
            }
            let append = InFlightAppend(stream: stream, events: events, firstRevision: first, position: position, timestamp: now)
            let result = WriteResult(nextExpectedVersion: append.lastRevision, position: append.end - 1)
            guard !pending.isDurable else {
                try s.index.add(append)
                return (result, nil)
            }
            s.inFlight.add(append)
            return (result, Int64(append.end))
        }
        if durableEnd == nil, !result.deduplicated { changes.bump() }
        return WrittenAppend(result: result, store: self, durableEnd: durableEnd)
    }

    /// Moves the appends an fdatasync now covers into the index, in position order, and wakes
    /// the subscriptions: any appender whose wait returned does it for every append it covered.
    func publishDurable() throws(WharfError) {
        // Under `always` the log's readable end is its synced end.
        let synced = UInt64(max(0, log.logEndOffset))
        let published = try state.withLock { (s: inout State) throws(WharfError) -> Bool in
            let durable = s.inFlight.takeDurable(below: synced)
            for append in durable { try s.index.add(append) }
            return !durable.isEmpty
        }
        if published { changes.bump() }
    }

    /// The last event of `stream` as the next append to it is checked: appends still in flight
    /// included, which reads do not see yet. `inFlightData` is the event's data when it is still
    /// in flight; a caller reads a durable one's from the log. Nil when the stream has no events.
    public func lastWrittenEvent(of stream: String) -> (revision: UInt64, type: String, inFlightData: [UInt8]?)? {
        state.withLock { s in WrittenStream(stream, index: s.index, inFlight: s.inFlight).last }
    }
}

/// An append written to `$all` (`EventStore.writeAllowingSystemStream`): its result, and the wait
/// its acknowledgement needs under the store's fsync policy (none unless `always`).
public struct WrittenAppend: Sendable {
    public let result: WriteResult
    let store: EventStore
    /// The `$all` end an fdatasync must reach first; nil when nothing is to wait for.
    let durableEnd: Int64?

    /// Returns the result once the append is durable, without holding a thread meanwhile.
    @discardableResult
    public func durable() async throws(WharfError) -> WriteResult {
        guard let durableEnd else { return result }
        try await store.log.waitDurable(upTo: durableEnd)
        try store.publishDurable()
        return result
    }

    /// `durable()` blocking the calling thread (the store's synchronous callers).
    @discardableResult
    public func durableBlocking() throws(WharfError) -> WriteResult {
        guard let durableEnd else { return result }
        try store.log.waitDurableBlocking(upTo: durableEnd)
        try store.publishDurable()
        return result
    }
}
