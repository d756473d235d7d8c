import Foundation
import WharfCore

/// How an event is stored in the `$all` log: one Kafka record of RecordBatch v2, so the bytes
/// are readable by every tool that reads Wharf partitions.
///
///     offset     = the event's $all position (assigned by the log)
///     timestamp  = append time, ms of the store's clock (CreateTime)
///     key        = stream name, UTF-8
///     value      = event data (empty data is stored as an empty value, never null)
///     headers    = "es.id"       event id, UUID text (8-4-4-4-12 hex)
///                  "es.type"     event type, UTF-8
///                  "es.revision" revision in its stream, decimal ASCII
///                  "es.metadata" metadata bytes (header present only when metadata is non-empty)
///                  "es.content-type" the data's content type (present only when declared)
///
/// All events of one `append` call are one batch, so the log writes them with one `pwrite` and
/// recovery keeps or drops them together (it truncates a torn batch whole).
enum EventRecordCodec {
    static let idHeader = "es.id"
    static let typeHeader = "es.type"
    static let revisionHeader = "es.revision"
    static let metadataHeader = "es.metadata"
    static let contentTypeHeader = "es.content-type"

    /// One batch holding `events` at revisions `firstRevision...`.
    static func encodeBatch(stream: String, events: [EventData], firstRevision: UInt64, timestamp: Int64) -> [UInt8] {
        var builder = RecordBatchBuilder(capacity: events.reduce(RecordBatchHeader.size) { $0 + 128 + stream.utf8.count + $1.data.count + $1.metadata.count })
        let key = Array(stream.utf8)
        for (i, e) in events.enumerated() {
            var headers = [RecordHeader(idHeader, UUIDText.uppercase(e.id)), RecordHeader(typeHeader, e.type),
                           RecordHeader(revisionHeader, String(firstRevision + UInt64(i)))]
            if !e.metadata.isEmpty { headers.append(RecordHeader(key: metadataHeader, value: e.metadata)) }
            if let contentType = e.contentType { headers.append(RecordHeader(contentTypeHeader, contentType)) }
            builder.append(Record(key: key, value: e.data, headers: headers, timestamp: timestamp), defaultTimestamp: timestamp)
        }
        return builder.finish()
    }

    static func decode(_ r: StoredRecord) throws(WharfError) -> RecordedEvent {
        guard r.offset >= 0, let key = r.key else { throw .corrupt("event record at position \(r.offset) has no stream key") }
        var id: UUID?
        var type: String?
        var revision: UInt64?
        var metadata: [UInt8] = []
        var contentType: String?
        for h in r.headers {
            switch h.key {
            case idHeader: id = h.value.flatMap(UUIDText.parse)
            case typeHeader: type = h.value.map { String(decoding: $0, as: UTF8.self) }
            case revisionHeader: revision = h.value.flatMap { UInt64(String(decoding: $0, as: UTF8.self)) }
            case metadataHeader: metadata = h.value ?? []
            case contentTypeHeader: contentType = h.value.map { String(decoding: $0, as: UTF8.self) }
            default: break
            }
        }
        guard let id, let type, let revision else {
            throw .corrupt("event record at position \(r.offset) lacks its es.id, es.type or es.revision header")
        }
        return RecordedEvent(stream: String(decoding: key, as: UTF8.self), revision: revision, position: UInt64(r.offset),
                             id: id, type: type, data: r.value ?? [], metadata: metadata, timestamp: r.timestamp,
                             contentType: contentType)
    }
}
