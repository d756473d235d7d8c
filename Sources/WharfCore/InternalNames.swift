/// The names Wharf keeps for itself, and the one rule of what clients may do to them.
///
/// Internal topics start with `__` (as in Kafka: `__consumer_offsets` holds every committed
/// offset and every requeue bookmark). Wharf's own groups start with `__wharf-` (the requeue
/// bookmark of a dead-letter topic is `__wharf-requeue.<topic>`). Clients may read them, but
/// nobody may delete or truncate an internal topic (TOPIC_AUTHORIZATION_FAILED), and a client
/// over the wire may not join, delete or change Wharf's groups (GROUP_AUTHORIZATION_FAILED;
/// the engine's own callers, the requeue, are not clients).
public enum InternalNames {
    public static let topicPrefix = "__"
    public static let groupPrefix = "__wharf-"

    public static func isInternalTopic(_ name: String) -> Bool { name.hasPrefix(topicPrefix) }
    public static func isInternalGroup(_ groupId: String) -> Bool { groupId.hasPrefix(groupPrefix) }

    /// Refuses deleting or truncating an internal topic, to clients and operators alike: nothing
    /// in Wharf does either to them (compaction keeps `__consumer_offsets` small).
    public static func checkMayDelete(topic name: String) throws(WharfError) {
        if isInternalTopic(name) { throw .topicAuthorizationFailed("\(name) is an internal topic; it cannot be deleted or truncated") }
    }

    /// Refuses a client's membership or deletion of one of Wharf's own groups.
    public static func checkClientMayUse(group groupId: String) throws(WharfError) {
        if isInternalGroup(groupId) { throw .groupAuthorizationFailed("\(groupId) is one of Wharf's own groups; clients cannot join, delete or change it") }
    }
}
