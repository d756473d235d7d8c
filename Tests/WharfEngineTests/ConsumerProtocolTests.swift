import Testing
import WharfCore
@testable import WharfEngine

@Suite struct ConsumerProtocolTests {
    @Test func subscriptionV0IsByteExactAndRoundTrips() throws {
        let sub = ConsumerSubscription(topics: ["a", "bc"], userData: nil)
        let bytes = sub.encode()
        #expect(bytes == [0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x61, 0x00, 0x02, 0x62, 0x63, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try ConsumerSubscription.decode(bytes) == sub)
        let withData = ConsumerSubscription(topics: [], userData: [9])
        #expect(try ConsumerSubscription.decode(withData.encode()) == withData)
    }

    @Test func assignmentV0GroupsByTopicAndRoundTrips() throws {
        let a = ConsumerAssignment(partitions: [TopicPartition("t", 0), TopicPartition("u", 2), TopicPartition("t", 1)], userData: [7])
        let bytes = a.encode()
        #expect(bytes == [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
            0x00, 0x01, 0x74, 0x00, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 1,
            0x00, 0x01, 0x75, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 2,
            0x00, 0x00, 0x00, 0x01, 0x07,
        ])
        let decoded = try ConsumerAssignment.decode(bytes)
        #expect(decoded.partitions == [TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("u", 2)])
        #expect(decoded.userData == [7])
    }

    @Test func laterVersionsDecodeByIgnoringTrailingFields() throws {
        // v1 subscription: v0 fields + owned partitions [{t, [0]}]; v2 adds generation 4.
        var v2 = ConsumerSubscription(topics: ["t"], userData: nil).encode(version: 2)
        v2 += [0, 0, 0, 1, 0x00, 0x01, 0x74, 0, 0, 0, 1, 0, 0, 0, 0] + [0, 0, 0, 4]
        #expect(try ConsumerSubscription.decode(v2) == ConsumerSubscription(topics: ["t"]))
        var v1 = ConsumerAssignment(partitions: [TopicPartition("t", 3)]).encode(version: 1)
        v1 += [0xAB, 0xCD]
        #expect(try ConsumerAssignment.decode(v1).partitions == [TopicPartition("t", 3)])
    }

    @Test func emptyAssignmentBytesMeanNoPartitionsButGarbageThrows() throws {
        #expect(try ConsumerAssignment.decode([]).partitions.isEmpty)
        #expect(throws: WharfError.self) { try ConsumerAssignment.decode([0x00]) }
        #expect(throws: WharfError.self) { try ConsumerSubscription.decode([0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00]) }
    }
}
