extension MetadataRequest {
    /// Whether the client asks for every topic: in v0 an empty array means all topics; from v1
    /// a null array means all and an empty one means none (`reference/kafka-protocol.md` §5).
    public func requestsAllTopics(version: Int16) -> Bool {
        guard let topics else { return true }
        return version == 0 && topics.isEmpty
    }
}
