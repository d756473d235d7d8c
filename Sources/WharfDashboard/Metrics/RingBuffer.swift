/// A fixed-capacity FIFO: appending to a full buffer drops the oldest element.
/// History per entity lives in these, so memory stays bounded however long the dashboard runs.
public struct RingBuffer<Element>: RandomAccessCollection {
    public let capacity: Int
    private var storage: [Element] = []
    private var head = 0   // index of the oldest element once the buffer is full

    public init(capacity: Int) {
        precondition(capacity > 0, "RingBuffer capacity must be positive")
        self.capacity = capacity
        storage.reserveCapacity(capacity)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }
    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public var isFull: Bool { storage.count == capacity }

    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
        }
    }

    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }

    /// Element `i`, 0 = oldest.
    public subscript(i: Int) -> Element {
        let j = head + i
        return storage[j < storage.count ? j : j - storage.count]
    }

    public var first: Element? { isEmpty ? nil : self[0] }
    public var last: Element? { isEmpty ? nil : self[count - 1] }

    /// Oldest to newest.
    public var elements: [Element] { (0..<count).map { self[$0] } }
}

extension RingBuffer: Sendable where Element: Sendable {}
extension RingBuffer: Equatable where Element: Equatable {
    public static func == (a: Self, b: Self) -> Bool { a.capacity == b.capacity && a.elements == b.elements }
}
