import Testing
import WharfCore
@testable import KafkaProtocol

/// Frames published by codecrafters-io/binspec (`binspec-visualizer/app/data/formats/generated/`),
/// which annotates requests sent by real clients: decoded field by field and re-encoded identically.
@Suite struct CapturedFrameTests {
    static let allSchemaVersions = ApiVersionRanges(Dictionary(uniqueKeysWithValues: ApiKey.allCases.map { ($0, $0.schemaVersions) }))

    /// `kafka-api-versions-request-v4`: client "kafka-cli", software "kafka-cli" 0.1.
    static let apiVersionsV4Request = hex("""
        00 00 00 23 00 12 00 04 00 00 00 07 00 09 6b 61 66 6b 61 2d 63 6c 69 00 0a 6b 61 66 6b 61 2d 63
        6c 69 04 30 2e 31 00
        """)

    @Test func apiVersionsV4Request() throws {
        let payload = Array(Self.apiVersionsV4Request.dropFirst(4))
        let request = try KafkaRequest.decode(payload, supported: Self.allSchemaVersions)
        #expect(request.header == RequestHeader(requestApiKey: 18, requestApiVersion: 4, correlationId: 7, clientId: "kafka-cli"))
        #expect(request.body == .apiVersions(ApiVersionsRequest(clientSoftwareName: "kafka-cli", clientSoftwareVersion: "0.1")))
        #expect(request.encodedFrame() == Self.apiVersionsV4Request)
        // We advertise ApiVersions 0-3, so this client gets the KIP-511 fallback for correlation id 7.
        #expect(throws: KafkaRequestError.unsupportedVersion(apiKey: .apiVersions, apiVersion: 4, correlationId: 7)) {
            try KafkaRequest.decode(payload)
        }
    }

    /// `kafka-produce-request-v11`: a Java idempotent producer ("producer-1", producer id 1),
    /// two topics, three partitions, one RecordBatch v2 each.
    static let produceV11Request = hex("""
        00 00 01 38 00 00 00 0b 00 00 00 06 00 0a 70 72 6f 64 75 63 65 72 2d 31 00 00 ff ff 00 00 75 30
        03 04 70 61 78 02 00 00 00 00 55 00 00 00 00 00 00 00 00 00 00 00 48 ff ff ff ff 02 93 66 62 d6
        00 00 00 00 00 00 00 00 01 99 25 14 65 91 00 00 01 99 25 14 65 91 00 00 00 00 00 00 00 01 00 00
        00 00 00 00 00 00 00 01 2c 00 00 00 01 20 6d 73 67 2d 70 61 78 2d 30 2d 68 65 6c 6c 6f 6e 00 00
        00 04 71 75 7a 03 00 00 00 00 55 00 00 00 00 00 00 00 00 00 00 00 48 ff ff ff ff 02 2e b7 84 aa
        00 00 00 00 00 00 00 00 01 99 25 14 65 8e 00 00 01 99 25 14 65 8e 00 00 00 00 00 00 00 01 00 00
        00 00 00 00 00 00 00 01 2c 00 00 00 01 20 6d 73 67 2d 71 75 7a 2d 30 2d 68 65 6c 6c 7f 6e 00 00
        00 00 00 01 55 00 00 00 00 00 00 00 00 00 00 00 48 ff ff ff ff 02 2e b7 84 aa 00 00 00 00 00 00
        00 00 01 99 25 14 65 8e 00 00 01 99 25 14 65 8e 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 00
        00 01 2c 00 00 00 01 20 6d 73 67 2d 71 75 7a 2d 31 2d 68 65 6c 6c 7f 6e 00 00 00 00
        """)

    @Test func produceV11Request() throws {
        var frames = KafkaFrameDecoder()
        frames.append(Self.produceV11Request)
        let payload = try #require(try frames.next())
        let request = try KafkaRequest.decode(payload, supported: Self.allSchemaVersions)
        #expect(request.header.clientId == "producer-1")
        #expect(request.correlationId == 6)
        guard case .produce(let produce) = request.body else { Issue.record("not a produce request"); return }
        #expect(produce.transactionalId == nil)
        #expect(produce.acks == -1)
        #expect(produce.timeoutMs == 30_000)
        #expect(produce.topicData.map(\.name) == ["pax", "quz"])
        #expect(produce.topicData.map { $0.partitionData.map(\.index) } == [[0], [0, 1]])
        for partition in produce.topicData.flatMap(\.partitionData) {
            let batch = try #require(partition.records)
            #expect(batch.count == 84)
            #expect(batch[16] == 2)  // magic
            #expect(batch[43..<51].elementsEqual([0, 0, 0, 0, 0, 0, 0, 1]))  // producer id 1
        }
        #expect(request.encodedFrame() == Self.produceV11Request)
    }
}
