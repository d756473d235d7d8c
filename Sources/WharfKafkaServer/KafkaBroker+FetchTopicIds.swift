import KafkaProtocol
import WharfCore

/// Fetch v13+ names topics by id (KIP-516), so a consumer of a topic that was deleted and
/// created again under the same name is told (UNKNOWN_TOPIC_ID) instead of reading the new
/// topic at the old one's offsets. The ids are resolved to names once, as the request comes
/// in, so authorization and the fetch itself work on names as for older versions; an id no
/// topic has keeps an empty name and is answered UNKNOWN_TOPIC_ID.
extension KafkaBroker {
    func resolvingTopicIds(_ body: KafkaRequestBody, version: Int16) -> KafkaRequestBody {
        guard version >= 13, case .fetch(var r) = body else { return body }
        for i in r.topics.indices {
            let id = r.topics[i].topicId
            r.topics[i].topic = engine.topicName(forId: (id.high, id.low)) ?? ""
        }
        return .fetch(r)
    }

    /// Whether a fetched topic named an id that no topic has.
    static func isUnknownTopicId(_ topic: FetchRequest.FetchTopic) -> Bool {
        topic.topic.isEmpty && topic.topicId != .zero
    }
}
