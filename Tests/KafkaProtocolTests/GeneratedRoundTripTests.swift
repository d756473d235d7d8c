import Testing
import WharfCore
@testable import KafkaProtocol

/// Every generated message type in every version of its schema: encode -> decode -> equal,
/// for both sample variants (non-default values including tagged fields; nulls and extremes).
@Suite struct GeneratedRoundTripTests {
    static let typeNames: [String] = allMessageTypes.map { "\($0)" }

    @Test(arguments: MessageCase.all)
    func roundTripsEveryVersion(_ message: MessageCase) throws {
        let type = message.type
        for version in type.validVersions {
            for variant in 0...1 {
                try Self.roundTrip(type, version: version, variant: variant)
            }
        }
    }

    static func roundTrip<T: SampledMessage>(_: T.Type, version: Int16, variant: Int) throws {
        let sample = T.sample(version: version, variant: variant)
        let bytes = sample.encoded(version: version)
        let decoded = try T(bytes: bytes, version: version)
        #expect(decoded == sample, "\(T.self) v\(version) variant \(variant)")
        #expect(sample.droppedFields(version: version) == [], "\(T.self) v\(version) variant \(variant)")
        #expect(decoded.encoded(version: version) == bytes, "\(T.self) v\(version) re-encoding")
        if variant == 0 {
            // Non-default values must actually reach the wire: a default value encodes differently.
            #expect(T().encoded(version: version) != bytes || T() == sample, "\(T.self) v\(version) sample is all defaults")
        }
    }

    /// Tagged fields are on the wire in flexible versions: the v3 ApiVersions sample carries
    /// SupportedFeatures (tag 0) and they survive the round trip.
    @Test func taggedFieldsAreEncodedAndDecoded() throws {
        let sample = ApiVersionsResponse.sample(version: 3, variant: 0)
        #expect(!sample.supportedFeatures.isEmpty)
        #expect(sample.zkMigrationReady)
        let bytes = sample.encoded(version: 3)
        let decoded = try ApiVersionsResponse(bytes: bytes, version: 3)
        #expect(decoded.supportedFeatures == sample.supportedFeatures)
        #expect(decoded.finalizedFeaturesEpoch == sample.finalizedFeaturesEpoch)
        #expect(decoded.zkMigrationReady)
        // Defaults are omitted: an empty v3 body is error(2) + compact array(1) + throttle(4) + tags(1).
        #expect(ApiVersionsResponse().encoded(version: 3).count == 8)
    }

    /// What a version cannot carry is reported, at any depth, and only for non-ignorable fields.
    @Test func droppedFieldsAreReported() {
        #expect(MetadataRequest(topics: nil).droppedFields(version: 0) == ["topics (null)"])
        #expect(MetadataRequest(topics: nil).droppedFields(version: 1) == [])
        #expect(MetadataRequest(topics: [], allowAutoTopicCreation: false).droppedFields(version: 3) == ["allowAutoTopicCreation"])
        #expect(MetadataRequest(topics: [.init(name: nil)]).droppedFields(version: 9) == ["topics.name (null)"])
        // ThrottleTimeMs is ignorable: silently absent from ApiVersions v0.
        #expect(ApiVersionsResponse(throttleTimeMs: 100).droppedFields(version: 0) == [])
        // Fetch v4 cannot say "read from replica 2" (non-ignorable, v11+).
        let partition = FetchResponse.PartitionData(preferredReadReplica: 2)
        #expect(FetchResponse(responses: [.init(partitions: [partition])]).droppedFields(version: 4) == ["responses.partitions.preferredReadReplica"])
        #expect(FetchResponse(responses: [.init(partitions: [partition])]).droppedFields(version: 11) == [])
    }

    /// Unknown tagged fields are skipped, known ones still read.
    @Test func unknownTaggedFieldsAreSkipped() throws {
        var bytes: [UInt8] = [0, 0, 1, 0, 0, 0, 0]  // error 0, empty compact array, throttle 0
        bytes += [2, 3, 1, 1, 9, 3, 0xaa, 0xbb, 0xcc]  // 2 tags: tag 3 (zk ready = true), tag 9 (unknown, 3 bytes)
        let decoded = try ApiVersionsResponse(bytes: bytes, version: 3)
        #expect(decoded.zkMigrationReady)
        #expect(decoded.apiKeys.isEmpty)
    }
}
