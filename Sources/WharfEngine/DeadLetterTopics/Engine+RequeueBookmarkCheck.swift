import WharfAdmin
import WharfCore

extension Engine {
    /// Whether a client over the Kafka protocol may make this OffsetCommit.
    ///
    /// Wharf's own groups (`InternalNames.groupPrefix`) are not the clients' to change, with one
    /// exception: `wharf dlq requeue --bootstrap` keeps the requeue bookmark of a dead-letter
    /// topic in `__wharf-requeue.<topic>` with administrative commits over the wire, as it does
    /// on any Kafka cluster. Such a commit is accepted only when it is one that requeue could
    /// have written: an administrative commit to partitions of that topic, at an offset inside
    /// the log, with a bookmark that parses (`RequeueProgress`). Anything else answers
    /// GROUP_AUTHORIZATION_FAILED, so a client cannot plant a bookmark that hangs or crashes the
    /// next requeue. (With no authentication a client can still move a valid bookmark; finding 16.)
    public func checkClientCommit(groupId: String, generationId: Int32, memberId: String,
                                  offsets: [TopicPartition: (offset: Int64, metadata: String)]) throws(WharfError) {
        guard InternalNames.isInternalGroup(groupId) else { return }
        let refused = WharfError.groupAuthorizationFailed("\(groupId) is one of Wharf's own groups; only a requeue's bookmark may be committed to it")
        let requeuePrefix = Self.requeueGroup(for: "")
        guard groupId.hasPrefix(requeuePrefix), generationId < 0, memberId.isEmpty else { throw refused }
        let topicName = String(groupId.dropFirst(requeuePrefix.count))
        guard let t = topics.withLock({ $0[topicName] }) else { throw refused }
        for (tp, value) in offsets {
            guard tp.topic == topicName, tp.partition >= 0, Int(tp.partition) < t.logs.count else { throw refused }
            let log = t.logs[Int(tp.partition)]
            let start = log.logStartOffset, end = log.logEndOffset
            guard value.offset >= 0, value.offset <= end else { throw refused }
            do {
                _ = try RequeueProgress(prefix: value.offset, metadata: value.metadata, retained: start..<max(start, end), partition: tp)
            } catch {
                throw .groupAuthorizationFailed("\(error)")
            }
        }
    }
}
