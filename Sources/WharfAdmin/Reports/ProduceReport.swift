/// `wharf produce --json`: how many records went to the topic (through `RecordAppending`).
public struct ProduceReport: Encodable, Sendable, Equatable {
    public let topic: String
    public let records: Int

    public init(topic: String, records: Int) {
        self.topic = topic
        self.records = records
    }
}
