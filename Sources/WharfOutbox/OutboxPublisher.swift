import Foundation
import WharfCore
import WharfEngine

/// Where the relay publishes: an append that returns only once the broker acknowledged it.
public protocol OutboxPublisher: Sendable {
    /// Appends `records` to `topic` in order; returns after the acknowledgement, throws otherwise
    /// (some records may then have been appended: the relay retries them, at least once).
    func publish(topic: String, records: [Record]) async throws
}

/// Publishes into the embedded engine, creating a missing topic with the engine's defaults (or
/// `partitions`). Returns only once the records are durable (fdatasync'ed), whatever the
/// engine's fsync policy, so a row is never marked published before its record would survive a
/// power cut (at-least-once).
public struct EngineOutboxPublisher: OutboxPublisher {
    public let engine: Engine
    public let partitions: Int32?

    public init(engine: Engine, partitions: Int32? = nil) {
        self.engine = engine
        self.partitions = partitions
    }

    public func publish(topic: String, records: [Record]) async throws {
        do {
            _ = try engine.describeTopic(topic)
        } catch .unknownTopic {
            do { try engine.createTopic(topic, Engine.TopicSettings(partitions: partitions)) } catch .topicExists {}
        }
        let written = try engine.produce(topic: topic, records: records)
        // The relay marks the rows published once this returns; under an `interval` policy (the
        // dashboard's) the records are not yet fsync'ed, and a power cut would lose rows already
        // marked. So the acknowledgement means durable, whatever the engine's policy.
        for r in written { try engine.ensureDurable(topic: topic, partition: r.partition) }
    }
}

/// How an outbox row becomes a record: key = aggregateid, value = payload, headers `id` and
/// `type` first, then the row's own `headers` (a JSON object of strings) in key order.
public enum OutboxRecordMapping {
    public static let idHeader = "id"
    public static let typeHeader = "type"

    /// Throws when the row's `headers` column is not a JSON object of strings (a poison row).
    public static func record(for row: OutboxRow, timestamp: Int64? = nil) throws(OutboxError) -> Record {
        var headers = [RecordHeader(idHeader, row.id), RecordHeader(typeHeader, row.type)]
        if let text = row.headers, !text.isEmpty {
            let object: [String: String]
            do { object = try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) } catch {
                throw .database("row \(row.id): headers column is not a JSON object of strings: \(text.prefix(80))")
            }
            for (k, v) in object.sorted(by: { $0.key < $1.key }) where k != idHeader && k != typeHeader {
                headers.append(RecordHeader(k, v))
            }
        }
        return Record(key: Array(row.aggregateId.utf8), value: row.payload, headers: headers, timestamp: timestamp)
    }

    /// The outbox event id carried by a published record (its `id` header), for inboxes.
    public static func eventId(of record: StoredRecord) -> String? {
        record.headers.first { $0.key == idHeader }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
