import Testing
import WharfCore
@testable import KafkaProtocol

/// Encodings compared byte for byte with hand-written literals (from the protocol guide's
/// grammar, `reference/kafka-protocol.md` §2-§3) and one captured frame.
@Suite struct ByteExactTests {
    // MARK: ApiVersions

    @Test func apiVersionsV0RequestFrame() throws {
        let frame = hex("""
            00 00 00 11
            00 12 00 00 00 00 00 01  00 07 72 64 6b 61 66 6b 61
            """)  // size 17; key 18, v0, correlation 1, client "rdkafka"; empty body
        let request = KafkaRequest(
            header: RequestHeader(requestApiKey: 18, requestApiVersion: 0, correlationId: 1, clientId: "rdkafka"),
            body: .apiVersions(ApiVersionsRequest()))
        #expect(request.encodedFrame() == frame)
        #expect(try KafkaRequest.decode(Array(frame.dropFirst(4))) == request)
    }

    @Test func apiVersionsV3RequestUsesHeaderV2AndCompactStrings() throws {
        let payload = hex("""
            00 12 00 03 00 00 00 02  00 07 72 64 6b 61 66 6b 61  00
            0b 6c 69 62 72 64 6b 61 66 6b 61  06 32 2e 30 2e 32  00
            """)  // header v2: client_id still int16-length, then empty tags; body: compact strings + tags
        let request = try KafkaRequest.decode(payload)
        #expect(request.correlationId == 2)
        #expect(request.header.clientId == "rdkafka")
        #expect(request.body == .apiVersions(ApiVersionsRequest(clientSoftwareName: "librdkafka", clientSoftwareVersion: "2.0.2")))
        #expect(request.encodedPayload() == payload)
    }

    static let twoRanges = ApiVersionRanges([.produce: 0...8, .apiVersions: 0...3])

    @Test func apiVersionsV0ResponseFrame() throws {
        let frame = try KafkaResponse.encode(correlationId: 1, version: 0, body: Self.twoRanges.apiVersionsResponse())
        #expect(frame == hex("""
            00 00 00 16  00 00 00 01
            00 00  00 00 00 02  00 00 00 00 00 08  00 12 00 00 00 03
            """))
    }

    @Test func apiVersionsV3ResponseHasHeaderV0AndFlexibleBody() throws {
        let frame = try KafkaResponse.encode(correlationId: 2, version: 3, body: Self.twoRanges.apiVersionsResponse())
        #expect(frame == hex("""
            00 00 00 1a  00 00 00 02
            00 00  03  00 00 00 00 00 08 00  00 12 00 00 00 03 00  00 00 00 00  00
            """))  // no tag byte after the correlation id; compact array 2+1; per-entry and final tags
    }

    /// A v4 ApiVersions response frame as published by codecrafters-io/binspec
    /// (`kafka-api-versions-response-v4`), decoded and re-encoded identically.
    @Test func apiVersionsV4ResponseCapture() throws {
        let frame = hex("""
            00 00 00 21 00 00 00 07 00 00 04 00 01 00 00 00 11 00 00 12 00 00 00 04 00 00 4b 00 00 00 00
            00 00 00 00 00 00
            """)
        let decoded = try KafkaResponse.decode(Array(frame.dropFirst(4)), apiKey: .apiVersions, version: 4)
        #expect(decoded.correlationId == 7)
        guard case .apiVersions(let body) = decoded.body else { Issue.record("wrong body"); return }
        #expect(body.apiKeys.map { [$0.apiKey, $0.minVersion, $0.maxVersion] } == [[1, 0, 17], [18, 0, 4], [75, 0, 0]])
        #expect(try KafkaResponse.encode(correlationId: 7, version: 4, body: body) == frame)
    }

    // MARK: Metadata

    @Test func metadataV0EmptyTopicArray() throws {
        let payload = hex("00 03 00 00 00 00 00 05 ff ff  00 00 00 00")  // null client id, 0 topics
        let request = try KafkaRequest.decode(payload)
        #expect(request.header.clientId == nil)
        #expect(request.body == .metadata(MetadataRequest(topics: [])))
        #expect(MetadataRequest(topics: []).requestsAllTopics(version: 0))
        #expect(request.encodedPayload() == payload)
    }

    @Test func metadataV1NullMeansAllEmptyMeansNone() throws {
        let all = try MetadataRequest(bytes: hex("ff ff ff ff"), version: 1)
        #expect(all.topics == nil)
        let none = try MetadataRequest(bytes: hex("00 00 00 00"), version: 1)
        #expect(none.topics == [])
        #expect(all.requestsAllTopics(version: 1))
        #expect(!none.requestsAllTopics(version: 1))
        #expect(!MetadataRequest(topics: [.init(name: "t")]).requestsAllTopics(version: 0))
        #expect(MetadataRequest(topics: nil).encoded(version: 1) == hex("ff ff ff ff"))
        // v0 has no null: a null array is malformed there, and nil is written as empty.
        #expect(throws: WharfError.self) { try MetadataRequest(bytes: hex("ff ff ff ff"), version: 0) }
        #expect(MetadataRequest(topics: nil).encoded(version: 0) == hex("00 00 00 00"))
        let one = MetadataRequest(topics: [.init(name: "t")])
        #expect(one.encoded(version: 1) == hex("00 00 00 01 00 01 74"))
        // v4 adds allow_auto_topic_creation (default true).
        #expect(one.encoded(version: 4) == hex("00 00 00 01 00 01 74 01"))
    }

    // MARK: Produce

    @Test func produceV3RequestCarriesARecordBatch() throws {
        let batch = RecordBatchBuilder.encode([Record(key: "k", value: "v", timestamp: 1_700_000_000_000)], defaultTimestamp: 0)
        #expect(batch.count == 61 + 9)
        let body = ProduceRequest(
            transactionalId: nil, acks: -1, timeoutMs: 30_000,
            topicData: [.init(name: "orders", partitionData: [.init(index: 2, records: batch)])])
        let request = KafkaRequest(
            header: RequestHeader(requestApiKey: 0, requestApiVersion: 3, correlationId: 9, clientId: "c"),
            body: .produce(body))
        var expected = hex("""
            00 00  00 03  00 00 00 09  00 01 63
            ff ff  ff ff  00 00 75 30
            00 00 00 01  00 06 6f 72 64 65 72 73
            00 00 00 01  00 00 00 02  00 00 00 46
            """)
        expected += batch
        #expect(request.encodedPayload() == expected)
        let decoded = try KafkaRequest.decode(expected)
        guard case .produce(let produce) = decoded.body else { Issue.record("not a produce request"); return }
        #expect(produce.topicData[0].partitionData[0].records == batch)
        // The batch decodes back to the record with WharfCore's reader.
        let stored = try RecordBatchReader.records(in: produce.topicData[0].partitionData[0].records ?? [])
        #expect(stored.map(\.key) == [Array("k".utf8)])
        #expect(stored.map(\.value) == [Array("v".utf8)])
    }

    // MARK: Fetch

    @Test func fetchV4ResponseBody() throws {
        let records: [UInt8] = [1, 2, 3]
        let response = FetchResponse(
            throttleTimeMs: 0,
            responses: [.init(topic: "t", partitions: [
                .init(partitionIndex: 0, errorCode: 0, highWatermark: 10, lastStableOffset: 10, abortedTransactions: [], records: records),
            ])])
        let bytes = response.encoded(version: 4)
        #expect(bytes == hex("""
            00 00 00 00
            00 00 00 01  00 01 74
            00 00 00 01  00 00 00 00  00 00  00 00 00 00 00 00 00 0a  00 00 00 00 00 00 00 0a
            00 00 00 00  00 00 00 03 01 02 03
            """))
        #expect(try FetchResponse(bytes: bytes, version: 4) == response)
        let frame = try KafkaResponse.encode(correlationId: 5, version: 4, body: response)
        #expect(Array(frame.prefix(8)) == hex("00 00 00 34 00 00 00 05"))
    }

    /// Flexible responses other than ApiVersions get response header v1 (a tag byte).
    @Test func flexibleResponsesUseHeaderV1() throws {
        let frame = try KafkaResponse.encode(correlationId: 1, version: 4, body: HeartbeatResponse(errorCode: 27))
        #expect(frame == hex("00 00 00 0c 00 00 00 01 00  00 00 00 00  00 1b  00"))
        #expect(KafkaResponse.headerVersion(apiKey: .apiVersions, apiVersion: 3) == 0)
        #expect(KafkaResponse.headerVersion(apiKey: .metadata, apiVersion: 9) == 1)
        #expect(KafkaResponse.headerVersion(apiKey: .metadata, apiVersion: 8) == 0)
        #expect(KafkaRequest.headerVersion(apiKey: .metadata, apiVersion: 9) == 2)
        #expect(KafkaRequest.headerVersion(apiKey: .fetch, apiVersion: 11) == 1)
    }
}
