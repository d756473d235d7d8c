import Testing
import WharfCore
@testable import KafkaProtocol

/// Section 1.2 of the audit: an array's declared count never makes the decoder reserve more
/// memory than the bytes left in the frame.
@Suite struct ArrayReservationTests {
    @Test func aDeclaredCountReservesNoMoreMemoryThanTheBytesLeft() throws {
        let frame = [UInt8](repeating: 0, count: 320)
        try frame.withByteReader { (reader: inout ByteReader) throws(WharfError) in
            // A v1 Metadata topic is 2 bytes on the wire but tens of bytes in memory: 160 of them
            // fit the bytes, yet reserving 160 would allocate many times the frame.
            let stride = MemoryLayout<MetadataRequest.MetadataRequestTopic>.stride
            let topics = reader.reservation(for: 160, of: MetadataRequest.MetadataRequestTopic.self)
            #expect(topics == 320 / stride)
            #expect(topics * stride <= 320)
            // Where memory and wire sizes agree, the whole declared count is reserved.
            #expect(reader.reservation(for: 80, of: Int32.self) == 80)
            #expect(reader.reservation(for: 3, of: Int64.self) == 3)
        }
    }

    @Test func arraysStillDecodeEveryElement() throws {
        var request = MetadataRequest(topics: (0..<50).map { .init(name: "topic-\($0)") })
        request.allowAutoTopicCreation = false
        let header = RequestHeader(requestApiKey: ApiKey.metadata.rawValue, requestApiVersion: 8, correlationId: 1, clientId: "c")
        let payload = KafkaRequest(header: header, body: .metadata(request)).encodedPayload()
        let decoded = try KafkaRequest.decode(payload)
        guard case .metadata(let back) = decoded.body else { Issue.record("not Metadata"); return }
        #expect(back.topics?.compactMap(\.name) == (0..<50).map { "topic-\($0)" })
    }
}
