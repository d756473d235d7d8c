import WharfAdmin
import WharfCore
import WharfDashboard

extension DeadLetterSnapshot {
    /// Top reasons shown per dead-letter entity.
    public static let topReasonCount = 3

    /// A dead-letter topic in the Dead letters view: its depth, age and top reasons.
    public init(_ s: DeadLetterTopicSummary, nowMs: Int64) {
        self.init(entity: s.topic, count: s.count, oldestAgeMs: s.oldestTimestamp.map { max(0, nowMs - $0) },
                  kind: .topic(originalTopic: s.originalTopics.first),
                  topReasons: s.topReasons.prefix(Self.topReasonCount).map { DeadLetterReasonCount($0.reason, Int64($0.count)) })
    }
}

extension DeadLetterMessageRow {
    /// One record of a dead-letter topic as a browser row: the offset is the sequence number, the
    /// message id says where the record is, and the dead-letter headers become reason and
    /// description.
    public init(topic: String, partition: Int32, record: StoredRecord) {
        let origin = DeadLetterHeaders.parse(record.headers)
        // Business headers as they are; the dead-letter headers (binary in Spring's case)
        // are shown decoded: reason, exception class and origin have their own fields.
        var props = DeadLetterHeaders.businessHeaders(record.headers)
            .map { ($0.key, $0.value.map { String(decoding: $0, as: UTF8.self) } ?? "") }.sorted { $0.0 < $1.0 }
        if let origin { props.append(("dead-letter convention", origin.convention.rawValue)) }
        let from = origin.map { o in o.topic.map { t in " from \(t)" + (o.partition.map { "/\($0)" } ?? "") + (o.offset.map { "@\($0)" } ?? "") } ?? "" } ?? ""
        self.init(sequenceNumber: record.offset, messageId: "\(topic)/\(partition)@\(record.offset)\(from)",
                  enqueuedTimeMs: record.timestamp, reason: origin?.reason,
                  errorDescription: origin?.exceptionClass, properties: props, body: record.value ?? [])
        traceId = "\(topic)/\(partition)/\(record.offset)"
    }
}

extension RequeuePreview {
    /// The dry run of a topic requeue as the dashboard's preview: where the records go.
    public init(_ r: DeadLetterRequeueResult, request: RequeueRequest) {
        let targets = Set(r.moves.map(\.target)).sorted()
        self.init(entity: request.entity, target: targets.isEmpty ? (request.target ?? "the original topic") : targets.joined(separator: ", "),
                  sequenceNumbers: r.moves.map(\.offset), skipped: r.withoutTarget)
    }
}

extension DeadLetterTopicSelection {
    /// The browser's selection on a dead-letter topic (records have offsets and headers, not properties).
    public init(_ s: DeadLetterSelection) throws(WharfError) {
        switch s {
        case .sequenceNumbers(let offsets): self = .offsets(Set(offsets))
        case .all: self = .all
        case .reason(let r): self = .reason(r)
        case .bodyContains(let t): self = .contains(t)
        case .property: throw .invalidArgument("a dead-letter topic's records are selected by offset, reason or body text, not by header")
        }
    }
}
