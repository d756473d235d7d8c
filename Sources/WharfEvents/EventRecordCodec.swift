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
    static let idHeader: StaticString = "es.id"
    static let typeHeader: StaticString = "es.type"
    static let revisionHeader: StaticString = "es.revision"
    static let metadataHeader: StaticString = "es.metadata"
    static let contentTypeHeader: StaticString = "es.content-type"

    /// One batch holding `events` at revisions `firstRevision...`.
    static func encodeBatch(stream: String, events: [EventData], firstRevision: UInt64, timestamp: Int64) -> [UInt8] {
        var builder = RecordBatchBuilder(capacity: events.reduce(RecordBatchHeader.size) { $0 + 128 + stream.utf8.count + $1.data.count + $1.metadata.count })
        let key = Array(stream.utf8)
        for (i, e) in events.enumerated() {
            var headers = [RecordHeader(idHeader.description, UUIDText.uppercase(e.id)), RecordHeader(typeHeader.description, e.type),
                           RecordHeader(revisionHeader.description, String(firstRevision + UInt64(i)))]
            if !e.metadata.isEmpty { headers.append(RecordHeader(key: metadataHeader.description, value: e.metadata)) }
            if let contentType = e.contentType { headers.append(RecordHeader(contentTypeHeader.description, contentType)) }
            builder.append(Record(key: key, value: e.data, headers: headers, timestamp: timestamp), defaultTimestamp: timestamp)
        }
        return builder.finish()
    }

    static func decode(_ r: StoredRecord) throws(WharfError) -> RecordedEvent {
        guard r.offset >= 0, let key = r.key else { throw .corrupt("event record at position \(r.offset) has no stream key") }
        var fields = Fields()
        for h in r.headers {
            var name = h.key
            name.withUTF8 { name in
                if let value = h.value { value.withUnsafeBytes { fields.take(UnsafeRawBufferPointer(name), $0) } } else { fields.take(UnsafeRawBufferPointer(name), nil) }
            }
        }
        return try fields.event(offset: r.offset, timestamp: r.timestamp, stream: String(decoding: key, as: UTF8.self), data: r.value ?? [])
    }

    /// `decode` from a record's borrowed bytes (`$all` scans): the headers are matched and read
    /// where they lie, with no `StoredRecord`, header array, or key and value copies per event.
    static func decode(_ r: RecordBatchReader.RecordView) throws(WharfError) -> RecordedEvent {
        guard r.offset >= 0, let key = r.key else { throw .corrupt("event record at position \(r.offset) has no stream key") }
        var fields = Fields()
        try r.forEachHeader { name, value in fields.take(name, value) }
        return try fields.event(offset: r.offset, timestamp: r.timestamp, stream: String(decoding: key, as: UTF8.self),
                                data: r.value.map { Array($0) } ?? [])
    }

    /// The event's header values as both decoders find them (each header rule once).
    private struct Fields {
        var id: UUID?
        var type: String?
        var revision: UInt64?
        var metadata: [UInt8] = []
        var contentType: String?

        /// A header as the old `[RecordHeader]` reading took it: a later one of a name wins,
        /// a null value clears the field.
        mutating func take(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer?) {
            if equals(name, idHeader) {
                id = value.flatMap { UUIDText.parse($0.assumingMemoryBound(to: UInt8.self)) }
            } else if equals(name, typeHeader) {
                type = value.map { String(decoding: $0, as: UTF8.self) }
            } else if equals(name, revisionHeader) {
                revision = value.flatMap { UInt64(String(decoding: $0, as: UTF8.self)) }
            } else if equals(name, metadataHeader) {
                metadata = value.map { Array($0) } ?? []
            } else if equals(name, contentTypeHeader) {
                contentType = value.map { String(decoding: $0, as: UTF8.self) }
            }
        }

        func event(offset: Int64, timestamp: Int64, stream: String, data: [UInt8]) throws(WharfError) -> RecordedEvent {
            guard let id, let type, let revision else {
                throw .corrupt("event record at position \(offset) lacks its es.id, es.type or es.revision header")
            }
            return RecordedEvent(stream: stream, revision: revision, position: UInt64(offset),
                                 id: id, type: type, data: data, metadata: metadata, timestamp: timestamp, contentType: contentType)
        }

        private func equals(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
            bytes.count == name.utf8CodeUnitCount && memcmp(bytes.baseAddress!, name.utf8Start, bytes.count) == 0
        }
    }
}
