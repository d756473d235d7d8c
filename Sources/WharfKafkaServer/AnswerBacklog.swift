import Synchronization

/// How many of a connection's answers its worker has handed to the writer task that the writer
/// has not yet written. While none is, the worker may write a ready answer itself, and it still
/// goes out in request order: one task hop fewer on every Produce and Fetch of a client that
/// waits for its answers (issue 17, `KafkaConnectionHandler.serve`).
final class AnswerBacklog: Sendable {
    private let count = Atomic<Int>(0)

    var isEmpty: Bool { count.load(ordering: .acquiring) == 0 }

    /// The worker hands an answer to the writer.
    func add() { count.wrappingAdd(1, ordering: .releasing) }

    /// The writer has written (or dropped) one.
    func remove() { count.wrappingSubtract(1, ordering: .releasing) }
}
