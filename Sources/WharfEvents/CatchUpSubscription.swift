import WharfCore

extension EventStore {
    /// A catch-up subscription: the events of `source` after `start`, first those already
    /// stored, then live ones as they are appended, in order, until the task is cancelled or the
    /// store closes. `.all` delivers application events (system `$` streams are left out).
    /// `.end` is resolved now: events appended after this call are delivered.
    /// While iterated it appears in `subscriptionSnapshots()` under `name`. `includeSystem`
    /// delivers the system streams' events of `.all` too (EventStoreDB's `$all` has them).
    public func subscribe(to source: EventSource, from start: StartPoint = .start, name: String = "catch-up",
                          includeSystem: Bool = false) -> CatchUpSubscription {
        CatchUpSubscription(store: self, source: source, next: resolve(start, for: source), name: name, includeSystem: includeSystem)
    }

    /// The first position/revision a reader starting at `start` reads.
    func resolve(_ start: StartPoint, for source: EventSource) -> UInt64 {
        switch start {
        case .start: 0
        // A client may ask for the events after UInt64.max (wharf-fuzz did): none can come.
        case .after(let p): p == .max ? .max : p + 1
        case .end:
            state.withLock { s in
                switch source {
                case .all: s.index.end
                case .stream(let name): s.index.lastRevision(of: name).map { $0 + 1 } ?? 0
                }
            }
        }
    }
}

/// Events of a source in order, historical then live (see `EventStore.subscribe`).
///
/// Why no position is ever skipped (the "high-water mark" bug class, Marten #3321): there a
/// sequence number is taken before the transaction commits, so position 11 can become visible
/// before 10, and a reader that advances to the highest visible number skips 10 for good.
/// Here a position is assigned and written in one critical section of the store's mutex
/// (`EventStore.writeValidated`), so the log assigns offsets in write order; the index's
/// committed end moves only after the write (under `always`, after its fdatasync), and always
/// by a prefix of what is written (`InFlightAppends.takeDurable`), to one past the last position
/// it takes. So the end is monotonic and every position below it is already readable (and
/// durable); the iterator reads only below the end it saw, and resumes from the position after
/// the last one it delivered. It checks the change counter before reading, so an append between
/// its read and its wait wakes it at once.
public struct CatchUpSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent
    let store: EventStore
    let source: EventSource
    let next: UInt64
    let name: String
    var includeSystem = false

    public func makeAsyncIterator() -> Iterator {
        var iterator = Iterator(store: store, source: source, next: next, tracker: CatchUpTracker(store: store, name: name, source: source, next: next))
        iterator.includeSystem = includeSystem
        return iterator
    }

    public struct Iterator: AsyncIteratorProtocol {
        let store: EventStore
        let source: EventSource
        var next: UInt64
        let tracker: CatchUpTracker
        var buffer: [RecordedEvent] = []
        var bufferIndex = 0
        var lastDelivered: UInt64?
        var includeSystem = false

        init(store: EventStore, source: EventSource, next: UInt64, tracker: CatchUpTracker) {
            self.store = store
            self.source = source
            self.next = next
            self.tracker = tracker
        }

        /// The next event; asking for it marks the previous one as processed (the checkpoint
        /// shown in snapshots). Returns nil once the task is cancelled or the store is closed.
        public mutating func next() async throws -> RecordedEvent? {
            guard try await fill() else { return nil }
            let event = buffer[bufferIndex]
            bufferIndex += 1
            lastDelivered = source == .all ? event.position : event.revision
            return event
        }

        /// The events available now, in order (at least one: it waits as `next` does, and at
        /// most one read's worth, 256), for a consumer that handles them together (the gRPC
        /// listener writes them in one go). Asking marks the previous batch as processed.
        /// Returns nil once the task is cancelled or the store is closed.
        public mutating func nextBatch() async throws -> [RecordedEvent]? {
            guard try await fill() else { return nil }
            let batch = bufferIndex == 0 ? buffer : Array(buffer[bufferIndex...])
            bufferIndex = buffer.count
            if let last = batch.last { lastDelivered = source == .all ? last.position : last.revision }
            return batch
        }

        /// Makes sure the buffer holds an undelivered event, reading (and waiting for) more when
        /// it does not; false once the task is cancelled or the store is closed.
        private mutating func fill() async throws -> Bool {
            if let lastDelivered { tracker.update(checkpoint: lastDelivered, state: .running) }
            while true {
                if Task.isCancelled || store.changes.isClosed {
                    tracker.update(checkpoint: lastDelivered, state: .stopped)
                    return false
                }
                if bufferIndex < buffer.count { return true }
                let seen = store.changes.version
                do {
                    switch source {
                    case .all:
                        let (events, after) = try store.scanAll(from: next, maxCount: 256, includeSystem: includeSystem)
                        buffer = events
                        next = after
                    case .stream(let name):
                        buffer = try store.readStream(name, from: next, maxCount: 256)
                        if let last = buffer.last { next = last.revision + 1 }
                    }
                    bufferIndex = 0
                } catch {
                    if store.isClosed {
                        tracker.update(checkpoint: lastDelivered, state: .stopped)
                        return false
                    }
                    tracker.update(checkpoint: lastDelivered, state: .faulted("\(error)"))
                    throw error
                }
                if buffer.isEmpty { await store.changes.wait(since: seen) }
            }
        }
    }
}

/// Registers a catch-up iterator in the store's table while it exists.
final class CatchUpTracker: Sendable {
    let store: EventStore
    let id: UInt64

    init(store: EventStore, name: String, source: EventSource, next: UInt64) {
        self.store = store
        id = store.tracked.withLock { t in
            t.nextId += 1
            t.catchUps[t.nextId] = .init(name: name, kind: .catchUp, source: source,
                                         checkpoint: next == 0 ? nil : next - 1, state: .running)
            return t.nextId
        }
    }

    func update(checkpoint: UInt64?, state: SubscriptionState) {
        store.tracked.withLock { t in
            if let checkpoint { t.catchUps[id]?.checkpoint = checkpoint }
            t.catchUps[id]?.state = state
        }
    }

    deinit {
        store.tracked.withLock { _ = $0.catchUps.removeValue(forKey: id) }
    }
}
