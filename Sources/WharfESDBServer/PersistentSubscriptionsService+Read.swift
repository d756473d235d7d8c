import Foundation
import GRPCCore
import WharfCore
import WharfESDBProtocol
import WharfEvents

/// A consumer's bidi call: the client sends its options, then batches of acks and nacks; the
/// server confirms with `"<stream>::<group>"` (`"$all::<group>"`; the clients check the split),
/// then sends events with their retry counts, never more in flight to this consumer than the
/// client's `buffer_size`.
///
/// Acks and nacks take effect when they arrive (an acked event is settled: no consumer gets it
/// again while the server runs) and are made durable in rounds: one write of the group's file
/// (`flush`) covers every ack and nack that arrived while the previous one synced, so a client
/// acking one event per message does not cost a sync per message. What "acknowledged" promises
/// across a crash is EventStoreDB's: it checkpoints acks periodically, so an event acked in the
/// last round before a crash may be delivered again (with its retry count raised); an unacked
/// event is never lost, because a written file never settles an event that was not settled in
/// memory. A call that ends (the client half-closes or sends Stop) syncs its last round first.
///
/// The client's messages wait in a bounded queue (`PersistentReadQueue`); a client that sends
/// faster than they are applied (a flood of acks, for unknown ids or not) gets
/// RESOURCE_EXHAUSTED and its call ends, so memory stays bounded. Nack actions: Park (to the parked stream now), Retry and Unknown (again later,
/// counted; parked past `max_retry_count`), Skip (dropped), Stop (ends this consumer's call; its
/// events in flight go to the others). Message timeouts are enforced while the call lasts.
extension PersistentSubscriptionsService {
    typealias ReadReq = EventStore_Client_PersistentSubscriptions_ReadReq
    typealias ReadResp = EventStore_Client_PersistentSubscriptions_ReadResp

    /// How often a reading consumer's call looks for timed-out events (`EventStore.tick`).
    static let timeoutCheckInterval = Duration.milliseconds(200)
    /// A client's `buffer_size` is clamped to this (the Python client asks 150 by default).
    static let maxWindow: Int32 = 10_000

    func read(request: RPCAsyncSequence<ReadReq, any Error>, response: RPCWriter<ReadResp>, context: ServerContext) async throws {
        // The client's messages are pumped into a stream this task reads, so that delivery, on
        // seeing the group deleted, can end the call by finishing that stream with the error
        // (an RPC's own request iterator cannot leave the task that made it).
        // Applying is in memory (the syncs run beside it), so only a flooding client fills the queue.
        let queue = PersistentReadQueue()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            defer { tasks.cancelAll() }
            tasks.addTask { await Self.pump(request, into: queue) }
            var messages = queue.messages.makeAsyncIterator()
            guard let first = try await messages.next(), case .options(let options)? = first.content else {
                throw PersistentSubscriptionError.badRequest("a persistent subscription Read starts with its options").rpcError
            }
            let source = try Self.source(options.streamOption)
            let group = options.groupName
            let connection = try call(group, source) { () throws(WharfError) in
                try store.connectToPersistentSubscription(group, on: source, consumerName: context.remotePeer)
            }
            defer { connection.close() }
            let resolveLinks = (try? store.persistentSubscriptionStatus(group, on: source).info.settings.resolveLinks) ?? false

            var confirmation = ReadResp()
            confirmation.subscriptionConfirmation.subscriptionID = "\(source)::\(group)"
            try await response.write(confirmation)

            let structured = if case .structured = options.uuidOption.content { true } else { false }
            let output = PersistentReadOutput(writer: response, structured: structured, resolveLinks: resolveLinks, store: store)
            let window = Int(min(max(options.bufferSize, 1), Self.maxWindow))
            let dropped = PersistentSubscriptionError.dropped(group: group, stream: source.description).rpcError
            tasks.addTask {
                do {
                    while let batch = try await connection.next(max: window, inFlightLimit: window) {
                        try await output.write(batch)
                    }
                } catch {
                    // Delivery failed: end the call with the error rather than leave it taking
                    // acks with nothing delivered (the events it held time out to the others).
                    queue.finish(throwing: error)
                    return
                }
                // Ended by the group's deletion (or the store closing); not by cancellation.
                if !Task.isCancelled { queue.finish(throwing: dropped) }
            }
            tasks.addTask { [store] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.timeoutCheckInterval)
                    store.tick()
                }
            }
            // Durability rounds: each settle below asks for one; requests made while a round
            // syncs collapse into the next.
            let (rounds, requestRound) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            let fail: @Sendable (WharfError) -> RPCError = { PersistentSubscriptionError($0, group: group, stream: source.description).rpcError }
            tasks.addTask {
                for await _ in rounds {
                    do throws(WharfError) { try connection.flush() } catch {
                        queue.finish(throwing: fail(error))
                        return
                    }
                }
            }
            try await Self.settle(&messages, queue: queue, connection: connection, group: group, source: source) { requestRound.yield() }
            requestRound.finish()
            do throws(WharfError) { try connection.flush() } catch { throw fail(error) }
        }
    }

    /// Moves the client's messages into the call's queue, until the client half-closes or
    /// the queue refuses one (it then ends with RESOURCE_EXHAUSTED).
    static func pump(_ request: some AsyncSequence<ReadReq, any Error>, into queue: PersistentReadQueue) async {
        do {
            for try await message in request {
                guard queue.push(message) else { return }
            }
            queue.finish()
        } catch { queue.finish(throwing: error) }
    }

    /// Applies the client's acks and nacks until it half-closes or sends Stop, asking for a
    /// durability round after each message.
    private static func settle(_ requests: inout AsyncThrowingStream<ReadReq, any Error>.Iterator, queue: PersistentReadQueue,
                               connection: PersistentSubscriptionConnection, group: String, source: EventSource,
                               requestRound: () -> Void) async throws {
        func apply(_ body: () throws(WharfError) -> Void) throws(RPCError) {
            do {
                try body()
                requestRound()
            } catch {
                throw PersistentSubscriptionError(error, group: group, stream: source.description).rpcError
            }
        }
        while let message = try await requests.next() {
            defer { queue.applied(message) }
            switch message.content {
            case .ack(let ack):
                try apply { () throws(WharfError) in try connection.ack(ack.ids.compactMap { ESDBWire.uuid($0) }, durability: .callerFlushes) }
            case .nack(let nack):
                let action: NackAction
                switch nack.action {
                case .park: action = .park
                case .skip: action = .skip
                case .retry, .unknown, .UNRECOGNIZED: action = .retry
                case .stop: return
                }
                try apply { () throws(WharfError) in
                    try connection.nack(nack.ids.compactMap { ESDBWire.uuid($0) }, action: action, reason: nack.reason, durability: .callerFlushes)
                }
            case .options:
                throw PersistentSubscriptionError.badRequest("a persistent subscription Read sends its options once").rpcError
            case nil:
                continue
            }
        }
    }
}

/// Writes delivered events in the shape and UUID form the consumer asked for. With
/// `resolveLinks`, a link (`$>`) goes out as the event it points to with the link beside it; the
/// ack id is then the link's (the engine's key), as the clients ack by `RecordedEvent.ack_id`.
struct PersistentReadOutput: Sendable {
    let writer: RPCWriter<EventStore_Client_PersistentSubscriptions_ReadResp>
    let structured: Bool
    let resolveLinks: Bool
    let store: EventStore

    func write(_ batch: [PersistentEvent]) async throws {
        try await writer.write(contentsOf: batch.map(message))
    }

    func message(_ delivered: PersistentEvent) -> EventStore_Client_PersistentSubscriptions_ReadResp {
        let e = delivered.event
        var read = EventStore_Client_PersistentSubscriptions_ReadResp.ReadEvent()
        if resolveLinks, let target = e.linkTarget,
           let resolved = try? store.readStream(target.stream, from: target.revision, maxCount: 1).first, resolved.revision == target.revision {
            read.event = recorded(resolved)
            read.link = recorded(e)
        } else {
            read.event = recorded(e)
        }
        read.commitPosition = ESDBWire.commitPosition(e.position)
        read.retryCount = Int32(clamping: delivered.retryCount)
        var message = EventStore_Client_PersistentSubscriptions_ReadResp()
        message.event = read
        return message
    }

    /// The Streams service's form of an event; the two messages have the same fields.
    func recorded(_ e: RecordedEvent) -> EventStore_Client_PersistentSubscriptions_ReadResp.ReadEvent.RecordedEvent {
        let r = ReadOutput.recorded(e, structured: structured)
        var out = EventStore_Client_PersistentSubscriptions_ReadResp.ReadEvent.RecordedEvent()
        out.id = r.id
        out.streamIdentifier = r.streamIdentifier
        out.streamRevision = r.streamRevision
        out.preparePosition = r.preparePosition
        out.commitPosition = r.commitPosition
        out.metadata = r.metadata
        out.customMetadata = r.customMetadata
        out.data = r.data
        return out
    }
}
