/// Values keyed by sequence number, for sequence numbers that come mostly dense and in increasing
/// order and leave mostly oldest first: a queue's index (its sequence numbers are its log's
/// offsets + 1). A dictionary there rehashed every entry, each some 170 bytes, at each growth,
/// and hashed each key on every lookup (`publish(upTo:)` spent half its time so). Here the values
/// sit in an array that grows by copying, and a window of 4-byte slots maps a sequence number to
/// its value's place, so a lookup is an index.
///
/// A log may hold gaps (compaction leaves them) and its offsets are read from disk, so a key far
/// past the window, or before it, goes to a dictionary instead (`outside`): the window fills a
/// gap only up to its own length plus 4,096 slots, and one grown sparse is halved
/// (`compactIfSparse`). Places are 32-bit: more than 2^31 values would not fit in memory anyway.
struct SequenceTable<Value: Sendable>: Sendable, Sequence {
    /// The values; a removed one leaves nil, and its place is reused (`free`).
    private var storage: [Value?] = []
    private var free: [Int32] = []
    /// `slots[i]` is the place in `storage` of the value of key `base + i`, or -1.
    private var slots: [Int32] = []
    private var base: Int64 = 0
    /// Slots before this one are all -1 (skipped, and dropped once they are half the window).
    private var start = 0
    /// Keys outside the window when they were added.
    private var outside: [Int64: Value] = [:]
    private(set) var count = 0

    static var slack: Int { 4096 }

    var isEmpty: Bool { count == 0 }

    subscript(key: Int64) -> Value? {
        get {
            if let i = slotIndex(key), slots[i] >= 0 { return storage[Int(slots[i])] }
            return outside.isEmpty ? nil : outside[key]
        }
        set {
            if let value = newValue { insert(value, for: key) } else { remove(key) }
        }
    }

    /// The slot of `key` if it lies in the window.
    private func slotIndex(_ key: Int64) -> Int? {
        guard key >= base else { return nil }
        let (offset, overflow) = key.subtractingReportingOverflow(base)
        guard !overflow, offset < Int64(slots.count), Int(offset) >= start else { return nil }
        return Int(offset)
    }

    private mutating func insert(_ value: Value, for key: Int64) {
        if count == 0 { reset(at: key) }
        if let i = slotIndex(key) {
            if slots[i] >= 0 { storage[Int(slots[i])] = value; return }
            if !outside.isEmpty, outside[key] != nil { outside[key] = value; return }
            slots[i] = place(value)
            count += 1
            return
        }
        // Past the window's end by a gap the window can afford: the window grows to it.
        let end = base &+ Int64(slots.count)
        let (gap, overflow) = key.subtractingReportingOverflow(end)
        if key >= end, !overflow, gap <= Int64(slots.count - start + Self.slack), outside[key] == nil {
            slots.append(contentsOf: repeatElement(-1, count: Int(gap)))
            slots.append(place(value))
            count += 1
            return
        }
        if outside.updateValue(value, forKey: key) == nil { count += 1 }
    }

    private mutating func remove(_ key: Int64) {
        if let i = slotIndex(key), slots[i] >= 0 {
            let p = slots[i]
            storage[Int(p)] = nil
            free.append(p)
            slots[i] = -1
            count -= 1
            if i == start { advanceStart() } else { compactIfSparse() }
        } else if !outside.isEmpty, outside.removeValue(forKey: key) != nil {
            count -= 1
        } else {
            return
        }
        if count == 0 { reset(at: 0) }
    }

    /// Where `value` is stored: a freed place, or a new one.
    private mutating func place(_ value: Value) -> Int32 {
        if let p = free.popLast() {
            storage[Int(p)] = value
            return p
        }
        storage.append(value)
        return Int32(storage.count - 1)
    }

    /// Skips the window's leading empty slots, and drops them once they are half of it.
    private mutating func advanceStart() {
        while start < slots.count, slots[start] < 0 { start += 1 }
        if start >= Self.slack, start * 2 >= slots.count {
            slots.removeFirst(start)
            base &+= Int64(start)
            start = 0
        }
    }

    /// A window much longer than the values in it (an old value left behind while later ones
    /// left) keeps 4 bytes per key that passed: its first half's values go to `outside`, and the
    /// window starts after them. Each pass halves the window, which must then grow back by
    /// thousands of keys before the next.
    private mutating func compactIfSparse() {
        let live = count - outside.count
        guard slots.count - start > 4 * live + Self.slack else { return }
        let mid = start + (slots.count - start) / 2
        for i in start..<mid where slots[i] >= 0 {
            let p = slots[i]
            outside[base &+ Int64(i)] = storage[Int(p)]
            storage[Int(p)] = nil
            free.append(p)
            slots[i] = -1
        }
        start = mid
        advanceStart()
    }

    /// Empties the table, its window starting at `key`.
    private mutating func reset(at key: Int64) {
        storage.removeAll(keepingCapacity: storage.count <= Self.slack)
        free.removeAll(keepingCapacity: free.count <= Self.slack)
        slots.removeAll(keepingCapacity: slots.count <= Self.slack)
        outside.removeAll()
        base = key
        start = 0
    }

    /// The keys and values: the window's in key order, then the others.
    func makeIterator() -> Iterator { Iterator(table: self, slot: start) }

    struct Iterator: IteratorProtocol {
        let table: SequenceTable
        var slot: Int
        var rest: Dictionary<Int64, Value>.Iterator?

        mutating func next() -> (key: Int64, value: Value)? {
            while slot < table.slots.count {
                defer { slot += 1 }
                let p = table.slots[slot]
                if p >= 0, let v = table.storage[Int(p)] { return (table.base &+ Int64(slot), v) }
            }
            if rest == nil { rest = table.outside.makeIterator() }
            return rest?.next()
        }
    }

    var keys: LazyMapSequence<Self, Int64> { lazy.map(\.key) }
    var values: LazyMapSequence<Self, Value> { lazy.map(\.value) }
}
