import Testing
import WharfCore
@testable import KafkaProtocol

/// Request decoding through headers, version checks, the advertised ranges and the KIP-511
/// fallback.
@Suite struct DispatchTests {
    @Test func advertisedRangesAreTheFirstVersionSet() {
        let entries = ApiVersionRanges.firstVersion.apiVersionEntries.map { [$0.apiKey, $0.minVersion, $0.maxVersion] }
        #expect(entries == [
            [0, 0, 8], [1, 4, 13], [2, 0, 7], [3, 0, 12], [8, 0, 9], [9, 1, 9], [10, 0, 4], [11, 0, 5],
            [12, 0, 3], [13, 0, 3], [14, 0, 3], [15, 0, 4], [16, 0, 5], [17, 0, 1], [18, 0, 3], [19, 0, 4], [20, 0, 6],
            [21, 0, 1], [22, 0, 4], [23, 0, 3], [24, 0, 3], [25, 0, 3], [26, 0, 3], [28, 0, 3], [29, 0, 3], [30, 0, 3], [31, 0, 3], [32, 0, 3], [33, 0, 2], [35, 0, 4],
            [36, 0, 2], [37, 0, 3], [42, 0, 1], [44, 0, 1], [47, 0, 0], [50, 0, 0], [51, 0, 0], [60, 0, 1], [61, 0, 0],
            [65, 0, 0], [66, 0, 1], [68, 0, 1], [69, 0, 0],
        ])
        // Every advertised version has a codec.
        for (key, range) in ApiVersionRanges.firstVersion.ranges {
            #expect(key.schemaVersions.contains(range.lowerBound) && key.schemaVersions.contains(range.upperBound), "\(key)")
        }
    }

    /// kafka-python 3 sends ApiVersions v4: it gets a v0-format body with error 35 and our
    /// ranges, under header v0, and must not be disconnected.
    @Test func unknownApiVersionsVersionGetsTheV0Fallback() throws {
        let payload = hex("00 12 00 04 00 00 00 2a  00 02 6b 70  00  00 00 00")  // v4, correlation 42
        var thrown: KafkaRequestError?
        do { _ = try KafkaRequest.decode(payload) } catch { thrown = error }
        #expect(thrown == .unsupportedVersion(apiKey: .apiVersions, apiVersion: 4, correlationId: 42))
        let frame = try #require(thrown?.responseFrame())
        var expected = hex("00 00 00 00  00 00 00 2a  00 23  00 00 00 2b")  // size patched below; error 35; 43 keys
        for entry in ApiVersionRanges.firstVersion.apiVersionEntries {
            expected.appendBigEndian(entry.apiKey)
            expected.appendBigEndian(entry.minVersion)
            expected.appendBigEndian(entry.maxVersion)
        }
        expected.setBigEndian(Int32(expected.count - 4), at: 0)
        #expect(frame == expected)
        // A client decodes it as a v0 response.
        let decoded = try KafkaResponse.decode(Array(frame.dropFirst(4)), apiKey: .apiVersions, version: 0)
        guard case .apiVersions(let body) = decoded.body else { Issue.record("wrong body"); return }
        #expect(body.errorCode == 35)
        #expect(body.apiKeys.first { $0.apiKey == 18 }?.maxVersion == 3)
    }

    @Test func versionsOutsideTheAdvertisedRangeAreRejected() {
        // Fetch v3 is in the schema but below the advertised minimum 4; Metadata v99 is nowhere;
        // ConsumerGroupHeartbeat v2 is past the schema's versions.
        for (key, version) in [(ApiKey.fetch, Int16(3)), (.metadata, 99), (.consumerGroupHeartbeat, 2)] {
            var payload: [UInt8] = []
            RequestHeader(requestApiKey: key.rawValue, requestApiVersion: version, correlationId: 3, clientId: nil).encode(into: &payload, version: 1)
            payload += [0, 0, 0, 0]
            #expect(throws: KafkaRequestError.unsupportedVersion(apiKey: key, apiVersion: version, correlationId: 3)) {
                try KafkaRequest.decode(payload)
            }
            #expect(KafkaRequestError.unsupportedVersion(apiKey: key, apiVersion: version, correlationId: 3).responseFrame() == nil)
        }
    }

    @Test func unknownApiKeyIsATypedError() {
        #expect(throws: KafkaRequestError.unknownApiKey(apiKey: 1000, apiVersion: 0, correlationId: 77)) {
            try KafkaRequest.decode(hex("03 e8 00 00 00 00 00 4d ff ff"))
        }
        #expect(throws: KafkaRequestError.unknownApiKey(apiKey: -1, apiVersion: 0, correlationId: 1)) {
            try KafkaRequest.decode(hex("ff ff 00 00 00 00 00 01"))
        }
    }

    @Test func shortOrBrokenRequestsAreMalformed() {
        let short = (try? KafkaRequest.decode(hex("00 12 00"))) == nil
        #expect(short)
        do {
            _ = try KafkaRequest.decode(hex("00 12 00 00 00 00 00 09 00 05 61"))  // client id claims 5 bytes
            Issue.record("decoded a truncated client id")
        } catch {
            guard case .malformed(let id, _) = error else { Issue.record("expected malformed, got \(error)"); return }
            #expect(id == 9)
        }
    }

    /// Every advertised (key, version) decodes its sample request through the header path.
    @Test func everyAdvertisedRequestDecodes() throws {
        let payloads = MalformedInputTests.validRequestPayloads()
        var keys: Set<ApiKey> = []
        for payload in payloads {
            let request = try KafkaRequest.decode(payload)
            #expect(request.encodedPayload() == payload)
            #expect(request.header.clientId == "fuzz")
            keys.insert(request.apiKey)
        }
        #expect(keys.count == ApiVersionRanges.firstVersion.ranges.count)
    }

    /// The server's loop in miniature: frame in, typed request, typed response, frame out.
    @Test func answerARequest() throws {
        var frames = KafkaFrameDecoder()
        let incoming = KafkaRequest(
            header: RequestHeader(requestApiKey: 12, requestApiVersion: 3, correlationId: 99, clientId: "c"),
            body: .heartbeat(HeartbeatRequest(groupId: "g", generationId: 4, memberId: "m", groupInstanceId: nil)))
        frames.append(incoming.encodedFrame())
        let request = try KafkaRequest.decode(try #require(try frames.next()))
        guard case .heartbeat(let heartbeat) = request.body else { Issue.record("not a heartbeat"); return }
        #expect(heartbeat.generationId == 4)
        #expect(request.expectsResponse)
        let frame = try request.responseFrame(HeartbeatResponse(throttleTimeMs: 0, errorCode: 27))
        #expect(frame == hex("00 00 00 0a  00 00 00 63  00 00 00 00  00 1b"))

        let acksZero = KafkaRequest(header: RequestHeader(requestApiKey: 0, requestApiVersion: 3), body: .produce(ProduceRequest(acks: 0)))
        #expect(!acksZero.expectsResponse)
    }

    /// A response body of each advertised version encodes into a frame the client side reads back.
    @Test func responsesRoundTripThroughFrames() throws {
        let response = KafkaResponseBody.metadata(MetadataResponse.sample(version: 8, variant: 0))
        let frame = try KafkaResponse.encode(correlationId: 11, version: 8, body: response)
        let decoded = try KafkaResponse.decode(Array(frame.dropFirst(4)), apiKey: .metadata, version: 8)
        #expect(decoded.correlationId == 11)
        #expect(decoded.body == response)
    }
}
