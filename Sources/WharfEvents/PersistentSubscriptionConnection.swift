import Foundation
import WharfCore

/// One consumer of a persistent subscription group. `receive` is the synchronous core (take
/// what is ready now); `events` is the async form that waits for more. Ack or nack every event
/// received. Closing (or dropping) the connection hands its in-flight events to the others.
public final class PersistentSubscriptionConnection: Sendable {
    let store: EventStore
    let key: PersistentSubscriptions.GroupKey
    let id: UInt64
    public let consumerName: String
    public var group: String { key.group }
    public var source: EventSource { key.source }

    init(store: EventStore, key: PersistentSubscriptions.GroupKey, id: UInt64, consumerName: String) {
        self.store = store
        self.key = key
        self.id = id
        self.consumerName = consumerName
    }

    deinit { store.disconnect(key, connection: id) }

    /// Up to `max` events ready now, in flight to this consumer until acked, nacked or timed out.
    public func receive(max: Int = 10) throws(WharfError) -> [PersistentEvent] {
        try store.receive(key, connection: id, max: max)
    }

    /// Like `receive`, but never more than keeps this consumer's unsettled events at or below
    /// `inFlightLimit` (a consumer's window: EventStoreDB's per-connection buffer size).
    public func receive(max: Int, inFlightLimit: Int) throws(WharfError) -> [PersistentEvent] {
        try store.receive(key, connection: id, max: max, inFlightLimit: inFlightLimit)
    }

    /// Makes the acks and nacks applied so far durable (writes the group's file if it changed).
    /// Acks applied while it syncs are the next call's: call it in rounds, not once per ack.
    public func flush() throws(WharfError) { try store.flush(key) }

    /// Whether the connection is still attached to its group (false once closed or deleted).
    public var isConnected: Bool { store.isConnected(key, connection: id) }

    public func ack(_ ids: [UUID], durability: AckDurability = .checkpoints) throws(WharfError) {
        try store.ack(key, ids: ids, durability: durability)
    }
    public func ack(_ event: PersistentEvent) throws(WharfError) { try ack([event.event.id]) }

    public func nack(_ ids: [UUID], action: NackAction, reason: String = "", durability: AckDurability = .checkpoints) throws(WharfError) {
        try store.nack(key, ids: ids, action: action, reason: reason, durability: durability)
    }
    public func nack(_ event: PersistentEvent, action: NackAction, reason: String = "") throws(WharfError) {
        try nack([event.event.id], action: action, reason: reason)
    }

    public func close() { store.disconnect(key, connection: id) }

    /// Waits until events are ready and takes up to `max` of them (see `receive(max:inFlightLimit:)`);
    /// nil when the connection is closed, the group deleted, the store closed or the task cancelled.
    public func next(max: Int, inFlightLimit: Int? = nil) async throws -> [PersistentEvent]? {
        while true {
            // Read the version before checking anything: a change after this point (a
            // disconnect, an append, an ack) makes the wait below return at once.
            let seen = store.changes.version
            if Task.isCancelled || store.changes.isClosed || !store.isConnected(key, connection: id) { return nil }
            let received: [PersistentEvent]
            do { received = try store.receive(key, connection: id, max: max, inFlightLimit: inFlightLimit) } catch {
                if store.isClosed { return nil }
                throw error
            }
            if !received.isEmpty { return received }
            await store.changes.wait(since: seen)
        }
    }

    /// Events as they become ready, one at a time; ends when the connection is closed, the group
    /// deleted, the store closed or the task cancelled.
    public var events: Events { Events(connection: self) }

    public struct Events: AsyncSequence, Sendable {
        public typealias Element = PersistentEvent
        let connection: PersistentSubscriptionConnection

        public func makeAsyncIterator() -> Iterator { Iterator(connection: connection) }

        public struct Iterator: AsyncIteratorProtocol {
            let connection: PersistentSubscriptionConnection

            public mutating func next() async throws -> PersistentEvent? {
                try await connection.next(max: 1)?.first
            }
        }
    }
}

/// When a consumer's acks and nacks reach the group's file.
public enum AckDurability: Sendable, Equatable {
    /// Every `checkpointAfterAcks` acks (and when a parked replay settles), written as the ack
    /// that makes it due is applied: the embedded API's default.
    case checkpoints
    /// Only when the caller runs `flush()`, in rounds that each cover what was applied before
    /// them (the gRPC listener): no ack waits for a write.
    case callerFlushes
}
