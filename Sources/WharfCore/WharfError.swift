/// Errors a user or a client can cause, each with a message fit to print as one line.
/// Programming errors stay preconditions; everything caused by input is one of these.
public enum WharfError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownTopic(String)
    case topicExists(String)
    case unknownPartition(topic: String, partition: Int32)
    case invalidName(String)
    case invalidArgument(String)
    case offsetOutOfRange(topic: String, partition: Int32, offset: Int64, logStart: Int64, logEnd: Int64)
    case malformed(String)
    case corrupt(String)
    case io(String)
    case locked(path: String, ownerPid: Int32?)
    case unknownGroup(String)
    case unknownMember(group: String, member: String)
    case illegalGeneration(group: String, generation: Int32, current: Int32)
    case rebalanceInProgress(String)
    case groupNotEmpty(String)
    case recordTooLarge(Int)
    /// A record batch is well-formed bytes but breaks a rule of the format (Kafka INVALID_RECORD).
    case invalidRecord(String)
    /// A record's timestamp lies outside the window the log accepts (Kafka INVALID_TIMESTAMP).
    case invalidTimestamp(String)
    /// No queue (or dead-letter subqueue) of that name exists.
    case unknownQueue(String)
    /// A queue of that name already exists.
    case queueExists(String)
    /// A settle or renew used a lock token that is unknown, expired or already settled (Service Bus MessageLockLost).
    case messageLockLost(String)
    /// A session lock token is unknown or expired (Service Bus SessionLockLost).
    case sessionLockLost(String)
    /// The session is locked by another receiver, or no session is available (Service Bus SessionCannotBeLocked).
    case sessionCannotBeLocked(String)
    /// No message with that sequence number is in the state the operation needs.
    case messageNotFound(entity: String, sequenceNumber: Int64)
    case wrongExpectedVersion(stream: String, expected: String, actual: UInt64?)
    case duplicateEventIds(stream: String, detail: String)
    case unknownSubscription(String)
    case subscriptionExists(String)
    /// An idempotent producer's batch does not continue its sequence (Kafka OUT_OF_ORDER_SEQUENCE_NUMBER).
    case outOfOrderSequence(String)
    /// An idempotent producer's epoch is older than the one the partition has seen: it is fenced
    /// (Kafka INVALID_PRODUCER_EPOCH).
    case invalidProducerEpoch(String)
    /// A client asked to delete or truncate an internal topic (Kafka's TOPIC_AUTHORIZATION_FAILED).
    case topicAuthorizationFailed(String)
    /// A client asked to join, delete or change one of Wharf's own groups (GROUP_AUTHORIZATION_FAILED).
    case groupAuthorizationFailed(String)
    /// A request is valid but over one of the broker's limits (Kafka's POLICY_VIOLATION).
    case policyViolation(String)
    /// A session or rebalance timeout outside the coordinator's bounds (INVALID_SESSION_TIMEOUT).
    case invalidSessionTimeout(String)

    public var description: String {
        switch self {
        case .unknownTopic(let t): "unknown topic '\(t)'"
        case .topicExists(let t): "topic '\(t)' already exists"
        case .unknownPartition(let t, let p): "topic '\(t)' has no partition \(p)"
        case .invalidName(let why): "invalid name: \(why)"
        case .invalidArgument(let why): why
        case .offsetOutOfRange(let t, let p, let o, let s, let e):
            "offset \(o) is out of range for \(t)/\(p) (log start \(s), log end \(e))"
        case .malformed(let why): "malformed input: \(why)"
        case .corrupt(let why): "corrupt data: \(why)"
        case .io(let why): why
        case .locked(let path, let pid):
            if let pid { "data directory \(path) is in use by another wharf process (pid \(pid))" }
            else { "data directory \(path) is in use by another wharf process" }
        case .unknownGroup(let g): "unknown consumer group '\(g)'"
        case .unknownMember(let g, let m): "member '\(m)' is not in group '\(g)'"
        case .illegalGeneration(let g, let gen, let cur):
            "generation \(gen) of group '\(g)' is fenced (current generation \(cur))"
        case .rebalanceInProgress(let g): "group '\(g)' is rebalancing"
        case .groupNotEmpty(let g): "group '\(g)' still has active members"
        case .recordTooLarge(let n): "batch of \(n) bytes is larger than the maximum allowed"
        case .invalidRecord(let why): "invalid record: \(why)"
        case .invalidTimestamp(let why): "invalid timestamp: \(why)"
        case .unknownQueue(let q): "unknown queue '\(q)'"
        case .queueExists(let q): "queue '\(q)' already exists"
        case .messageLockLost(let why): "message lock lost: \(why)"
        case .sessionLockLost(let why): "session lock lost: \(why)"
        case .sessionCannotBeLocked(let why): "session cannot be locked: \(why)"
        case .messageNotFound(let e, let seq): "no message with sequence number \(seq) in '\(e)'"
        case .wrongExpectedVersion(let s, let e, let a): "wrong expected version for stream '\(s)': expected \(e), actual \(a.map { "revision \($0)" } ?? "no stream")"
        case .duplicateEventIds(let s, let d): "append to stream '\(s)' partly repeats an earlier append: \(d)"
        case .unknownSubscription(let n): "unknown persistent subscription \(n)"
        case .subscriptionExists(let n): "persistent subscription \(n) already exists"
        case .outOfOrderSequence(let why): "out of order sequence: \(why)"
        case .invalidProducerEpoch(let why): "invalid producer epoch: \(why)"
        case .topicAuthorizationFailed(let why), .groupAuthorizationFailed(let why): "not authorized: \(why)"
        case .policyViolation(let why): "refused by policy: \(why)"
        case .invalidSessionTimeout(let why): "invalid session timeout: \(why)"
        }
    }
}
