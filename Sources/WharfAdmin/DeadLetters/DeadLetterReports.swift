import WharfCore

// What `wharf dlq` prints with --json for dead-letter topics, the same from the embedded engine
// and from a cluster: named types, a contract scripts rely on.

/// One dead-letter topic (`wharf dlq list --json`, under `topics`).
public struct DeadLetterTopicReport: Encodable, Sendable, Equatable {
    public let name: String
    public var kind = "topic"
    public let convention: String
    public let count: Int64
    public let oldestMessageAgeMillis: Int64?
    public let originalTopics: [String]
    public let topReasons: [Reason]

    public struct Reason: Encodable, Sendable, Equatable {
        public let reason: String
        public let count: Int
    }

    /// The summary as of `now` (ms since the epoch): the oldest record's age, never negative.
    public init(_ s: DeadLetterTopicSummary, now: Int64) {
        name = s.topic
        convention = s.convention.rawValue
        count = s.count
        oldestMessageAgeMillis = s.oldestTimestamp.map { max(0, now - $0) }
        originalTopics = s.originalTopics
        topReasons = s.topReasons.map { Reason(reason: $0.reason, count: $0.count) }
    }
}

/// One dead-lettered record (`wharf dlq peek --json` on a topic): where it came from and why,
/// read from its headers (`DeadLetterHeaders`); key, headers and body as text (`base64:` when
/// not UTF-8).
public struct DeadLetterRecordReport: Encodable, Sendable, Equatable {
    public let partition: Int32
    public let offset: Int64
    public let timestamp: String
    public let key: String?
    public let originalTopic: String?
    public let originalPartition: Int32?
    public let originalOffset: Int64?
    public let deadLetterReason: String?
    public let exceptionClass: String?
    public let headers: [String: String]
    public let body: String

    public init(_ pr: PartitionRecord) {
        let r = pr.record
        let o = DeadLetterHeaders.parse(r.headers)
        partition = pr.partition
        offset = r.offset
        timestamp = TimeParsing.iso(r.timestamp)
        key = r.key.map { JSONBytes.text($0) }
        originalTopic = o?.topic
        originalPartition = o?.partition
        originalOffset = o?.offset
        deadLetterReason = o?.reason
        exceptionClass = o?.exceptionClass
        headers = Dictionary(r.headers.map { ($0.key, JSONBytes.text($0.value ?? [])) }, uniquingKeysWith: { a, _ in a })
        body = JSONBytes.text(r.value ?? [])
    }
}

/// A requeue from a dead-letter topic (`wharf dlq requeue --json` on a topic).
public struct DeadLetterRequeueReport: Encodable, Sendable, Equatable {
    public let source: String
    public let dryRun: Bool
    public let count: Int
    public let targets: [String: Int]
    public let offsets: [Int64]
    public let withoutTarget: [Int64]

    public init(_ r: DeadLetterRequeueResult, topic: String) {
        source = topic
        dryRun = r.dryRun
        count = r.moves.count
        targets = r.byTarget
        offsets = r.moves.map { $0.offset }
        withoutTarget = r.withoutTarget
    }
}
