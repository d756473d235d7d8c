import Synchronization

/// The answers of one BatchAppend call, in the order its appends were written, handed from the
/// call's reader to its answering task. The reader writes each append and goes on to the next
/// chunk; the answering task waits for each append's fdatasync in turn and sends its answer. So
/// appends a client multiplexes on one call (as the .NET client does) share fdatasyncs, and the
/// answers still go out in order.
///
/// At most `limit` answers wait at once: past it the reader waits for room, so a client sending
/// faster than the disk syncs is slowed instead of growing the queue.
final class BatchAppendAnswers<Entry: Sendable>: Sendable {
    private struct State {
        var entries: [Entry] = []
        var head = 0
        var taker: CheckedContinuation<Entry?, Never>?
        var putter: CheckedContinuation<Bool, Never>?
        var finished = false
        var stopped = false

        var count: Int { entries.count - head }

        mutating func removeFirst() -> Entry {
            let entry = entries[head]
            head += 1
            if head == entries.count {
                entries.removeAll(keepingCapacity: true)
                head = 0
            }
            return entry
        }
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Queues `entry` (the reader's side), waiting while `limit` wait; false once the answering
    /// side stopped (the call is ending: the entry is dropped).
    func put(_ entry: Entry) async -> Bool {
        while true {
            let handOver = state.withLock { s -> (taker: CheckedContinuation<Entry?, Never>?, done: Bool?) in
                if s.stopped { return (nil, false) }
                if let taker = s.taker {
                    s.taker = nil
                    return (taker, true)
                }
                guard s.count >= limit else {
                    s.entries.append(entry)
                    return (nil, true)
                }
                return (nil, nil)
            }
            if let taker = handOver.taker { taker.resume(returning: entry) }
            if let done = handOver.done { return done }
            let room = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { s -> Bool? in
                    if s.stopped { return false }
                    if s.count < limit { return true }
                    s.putter = c
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
            guard room else { return false }
        }
    }

    /// No more entries will come (the reader's side ended).
    func finish() {
        let taker = state.withLock { s -> CheckedContinuation<Entry?, Never>? in
            s.finished = true
            defer { s.taker = nil }
            return s.taker
        }
        taker?.resume(returning: nil)
    }

    /// The next entry in order (the answering side); nil once finished and all are taken.
    func take() async -> Entry? {
        await withCheckedContinuation { (c: CheckedContinuation<Entry?, Never>) in
            let now = state.withLock { s -> (entry: Entry??, putter: CheckedContinuation<Bool, Never>?) in
                if s.count > 0 {
                    defer { s.putter = nil }
                    return (.some(s.removeFirst()), s.putter)
                }
                if s.finished { return (.some(nil), nil) }
                s.taker = c
                return (nil, nil)
            }
            now.putter?.resume(returning: true)
            if let entry = now.entry { c.resume(returning: entry) }
        }
    }

    /// The answering side ended (the call failed): a waiting or later `put` returns false.
    func stop() {
        let putter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            s.stopped = true
            s.entries = []
            s.head = 0
            defer { s.putter = nil }
            return s.putter
        }
        putter?.resume(returning: false)
    }
}
