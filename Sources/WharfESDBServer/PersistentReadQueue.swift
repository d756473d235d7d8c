import Synchronization
import WharfESDBProtocol

/// The bounded queue between a persistent subscription Read's client messages and the loop that
/// applies them: at most `maxMessages` messages and `maxIds` ack/nack ids wait (one message
/// alone may hold more ids; the transport's message size limit bounds it). A client that sends
/// past either bound (a flood of acks, for unknown ids or not) ends its call with
/// RESOURCE_EXHAUSTED, so the server's memory stays bounded whatever it sends.
final class PersistentReadQueue: Sendable {
    typealias Message = EventStore_Client_PersistentSubscriptions_ReadReq

    static let maxMessages = 256
    static let maxIds = 65_536

    let messages: AsyncThrowingStream<Message, any Error>
    private let feed: AsyncThrowingStream<Message, any Error>.Continuation
    private let queuedIds = Atomic<Int>(0)

    init() {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Message.self, bufferingPolicy: .bufferingOldest(Self.maxMessages))
        messages = stream
        feed = continuation
    }

    static func ids(in message: Message) -> Int {
        switch message.content {
        case .ack(let ack): ack.ids.count
        case .nack(let nack): nack.ids.count
        case .options, nil: 0
        }
    }

    /// Queues `message`; false (and the queue ended with the error) past a bound.
    func push(_ message: Message) -> Bool {
        let n = Self.ids(in: message)
        let total = queuedIds.wrappingAdd(n, ordering: .relaxed).newValue
        var refused = total > Self.maxIds && total > n  // a message alone is never refused for its ids
        if !refused, case .dropped = feed.yield(message) { refused = true }
        if refused { feed.finish(throwing: PersistentSubscriptionError.floodedAcks(messages: Self.maxMessages, ids: Self.maxIds).rpcError) }
        return !refused
    }

    /// Ids queued and not yet applied.
    var queuedIdCount: Int { queuedIds.load(ordering: .relaxed) }

    /// `message` has been applied: its ids leave the bound.
    func applied(_ message: Message) {
        queuedIds.wrappingSubtract(Self.ids(in: message), ordering: .relaxed)
    }

    func finish(throwing error: (any Error)? = nil) {
        feed.finish(throwing: error)
    }
}
