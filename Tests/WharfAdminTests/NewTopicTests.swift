import Testing
import WharfAdmin

@Suite struct NewTopicTests {
    @Test func kafkaConfigsNameOnlyTheSettingsGiven() {
        #expect(NewTopic(partitions: 3).kafkaConfigs.isEmpty)
        let topic = NewTopic(partitions: 1, retentionMs: -1, retentionBytes: 1024, segmentBytes: 65536)
        #expect(topic.kafkaConfigs == ["retention.ms": "-1", "retention.bytes": "1024", "segment.bytes": "65536"])
    }
}
