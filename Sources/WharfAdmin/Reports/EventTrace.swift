import WharfCore

/// One event's path through what a source knows (`wharf trace`): the outbox row it started as
/// (when an outbox was given), every record it became (the published record, its dead-letter
/// copies, the copies a requeue appended), which consumer groups committed past each, and
/// where it is now. Every source fills it through `EventTraceBuilder`, so the engine and a
/// Kafka cluster answer alike.
public struct EventTrace: Codable, Sendable, Equatable {
    /// A record the event became.
    public struct Hop: Codable, Sendable, Equatable {
        public enum Role: String, Codable, Sendable {
            /// As published (by the outbox relay, or any producer).
            case record
            /// A dead-letter copy (`reason` and the original in `from`).
            case deadLetter = "dead-letter"
            /// Appended by a requeue from a dead-letter record (`from`: `wharf.requeued-from`).
            case requeued
        }

        public var role: Role
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        public var timestamp: Int64
        public var time: String
        /// The record this one came from: `topic/partition/offset`.
        public var from: String?
        public var reason: String?
        /// Groups that committed past this record (consumed it), with their commits.
        public var consumedBy: [GroupCommit] = []
        /// Groups that committed on this partition but not yet past this record.
        public var pendingFor: [GroupCommit] = []

        public var coordinates: String { "\(topic)/\(partition)/\(offset)" }
    }

    public struct GroupCommit: Codable, Sendable, Equatable {
        public var group: String
        public var committedOffset: Int64
        public var lastCommitMs: Int64?

        public init(group: String, committedOffset: Int64, lastCommitMs: Int64?) {
            self.group = group
            self.committedOffset = committedOffset
            self.lastCommitMs = lastCommitMs
        }
    }

    public var query: String
    /// The event id (the `id` header the outbox relay writes and dead-letter publishers and
    /// requeues keep), when known.
    public var eventId: String?
    public var outbox: OutboxRowState?
    /// Oldest first.
    public var hops: [Hop]
    /// Records read looking for the event, and whether the scan stopped at its limit (then a
    /// later copy may have been missed).
    public var scannedRecords: Int
    public var truncated: Bool
    /// Where the event is now, in one sentence.
    public var now: String
}
