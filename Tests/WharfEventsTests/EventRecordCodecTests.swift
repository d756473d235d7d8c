import Foundation
import Testing
@testable import WharfEvents
import WharfCore

/// The two ways an event record is read back (`$all` scans decode the record where it lies,
/// stream reads go through `StoredRecord`) give the same event, the one that was encoded.
@Suite struct EventRecordCodecTests {
    @Test func theBorrowedAndTheStoredDecodeAgreeWithWhatWasEncoded() throws {
        let events = (0..<200).map { i in
            EventData(type: i % 3 == 0 ? "T" : "OrderPlaced-\(i)-with-a-longer-name", data: Array("payload \(i)".utf8),
                      metadata: i % 2 == 0 ? [] : Array("{\"i\":\(i)}".utf8), contentType: i % 5 == 0 ? "application/json" : nil)
        }
        let stream = "orders-with-a-name-over-fifteen-bytes"
        var bytes = EventRecordCodec.encodeBatch(stream: stream, events: events, firstRevision: 1_000, timestamp: 1_765_000_000_000)
        // The log assigns the offsets; here the batch starts at $all position 7.
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: Int64(7).bigEndian, as: Int64.self) }
        var stored: [RecordedEvent] = []
        for r in try RecordBatchReader.records(in: bytes) { stored.append(try EventRecordCodec.decode(r)) }
        var borrowed: [RecordedEvent] = []
        try bytes.withUnsafeBytes { raw in
            try RecordBatchReader.forEachRecord(in: raw) { borrowed.append(try EventRecordCodec.decode($0)) }
        }
        #expect(borrowed == stored)
        #expect(borrowed.count == events.count)
        for (i, (e, d)) in zip(borrowed, events).enumerated() {
            #expect(e.stream == stream)
            #expect(e.revision == 1_000 + UInt64(i))
            #expect(e.position == 7 + UInt64(i))
            #expect(e.id == d.id)
            #expect(e.type == d.type)
            #expect(e.data == d.data)
            #expect(e.metadata == d.metadata)
            #expect(e.contentType == d.contentType)
            #expect(e.timestamp == 1_765_000_000_000)
        }
    }
}
