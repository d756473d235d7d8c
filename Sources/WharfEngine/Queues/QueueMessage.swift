import WharfCore

/// A message as a sender hands it over (Service Bus `ServiceBusMessage`). Application property
/// values are their canonical text; `applicationPropertyTypes` names the wire type of those that
/// were not strings.
public struct OutgoingMessage: Equatable, Sendable {
    /// Kept across requeue; the duplicate-detection key. Empty means "assign a UUID".
    public var messageId: String
    public var body: [UInt8]
    public var correlationId: String?
    public var sessionId: String?
    public var subject: String?
    public var contentType: String?
    public var replyTo: String?
    public var to: String?
    /// The session a reply should go to (Service Bus `ReplyToSessionId`, AMQP `reply-to-group-id`).
    public var replyToSessionId: String? = nil
    /// Service Bus `PartitionKey` (AMQP annotation `x-opt-partition-key`): kept and returned;
    /// Wharf's entities are not partitioned, but it must equal the session id when both are set.
    public var partitionKey: String? = nil
    /// Clamped to the queue's default time to live.
    public var timeToLiveMillis: Int64?
    /// Enqueue later (state `scheduled` until then).
    public var scheduledEnqueueTime: Int64?
    public var applicationProperties: [String: String]
    /// The type of each non-string application property (absent: a string).
    public var applicationPropertyTypes: [String: ApplicationPropertyType] = [:]

    public init(messageId: String = "", body: [UInt8], correlationId: String? = nil, sessionId: String? = nil,
                subject: String? = nil, contentType: String? = nil, replyTo: String? = nil, to: String? = nil,
                timeToLiveMillis: Int64? = nil, scheduledEnqueueTime: Int64? = nil,
                applicationProperties: [String: String] = [:]) {
        self.messageId = messageId
        self.body = body
        self.correlationId = correlationId
        self.sessionId = sessionId
        self.subject = subject
        self.contentType = contentType
        self.replyTo = replyTo
        self.to = to
        self.timeToLiveMillis = timeToLiveMillis
        self.scheduledEnqueueTime = scheduledEnqueueTime
        self.applicationProperties = applicationProperties
    }

    public init(_ text: String, messageId: String = "", sessionId: String? = nil,
                applicationProperties: [String: String] = [:]) {
        self.init(messageId: messageId, body: Array(text.utf8), sessionId: sessionId, applicationProperties: applicationProperties)
    }
}

/// Where a message stands in its entity (Service Bus `ServiceBusMessageState` plus `locked`).
public enum MessageState: String, Sendable, Equatable, Codable {
    case active, locked, deferred, scheduled
}

/// A stored message as peek and receive return it.
public struct QueueMessage: Equatable, Sendable {
    /// 1-based, gap-free per entity (message log offset + 1), as Service Bus numbers them.
    public var sequenceNumber: Int64
    public var entity: String
    public var messageId: String
    public var body: [UInt8]
    public var correlationId: String?
    public var sessionId: String?
    public var subject: String?
    public var contentType: String?
    public var replyTo: String?
    public var to: String?
    public var timeToLiveMillis: Int64?
    public var scheduledEnqueueTime: Int64?
    public var enqueuedTime: Int64
    /// nil: never expires.
    public var expiresAt: Int64?
    /// Completed deliveries so far, as .NET surfaces it: 0 before the first receive, 1 on it.
    public var deliveryCount: Int
    public var state: MessageState
    /// Only on receive (peek shows neither).
    public var lockToken: String?
    public var lockedUntil: Int64?
    /// Includes `DeadLetterReason`, `DeadLetterErrorDescription` and `requeue-count` when set.
    public var applicationProperties: [String: String]
    /// The type of each non-string application property, as it was sent (absent: a string).
    public var applicationPropertyTypes: [String: ApplicationPropertyType] = [:]
    /// The entity a dead-lettered message came from (`x-opt-deadletter-source`).
    public var deadLetterSource: String?
    /// Times the message was forwarded on its way here.
    public var transferHopCount: Int
    /// Service Bus `ReplyToSessionId`.
    public var replyToSessionId: String? = nil
    /// Service Bus `PartitionKey`, as it was sent.
    public var partitionKey: String? = nil

    public var deadLetterReason: String? { applicationProperties[QueueMessageCodec.deadLetterReason] }
    public var deadLetterErrorDescription: String? { applicationProperties[QueueMessageCodec.deadLetterDescription] }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// How `send` disposed of a message.
public enum SendDisposition: String, Sendable, Equatable {
    case enqueued, scheduled
    /// Dropped by duplicate detection (the send still succeeds, as in Service Bus).
    case duplicate
    /// The broker dead-lettered it (`Session ID is null.`, `MaxTransferHopCountExceeded`).
    case deadLettered
}

public struct SendReceipt: Equatable, Sendable {
    /// The entity that stored it (after auto-forwarding, or a dead-letter queue).
    public var entity: String
    /// nil for duplicates.
    public var sequenceNumber: Int64?
    public var disposition: SendDisposition
}

/// Receive modes (Service Bus `ServiceBusReceiveMode`).
public enum ReceiveMode: Sendable, Equatable {
    case peekLock, receiveAndDelete
}

/// Runtime counts of one entity (Service Bus `QueueRuntimeProperties`). Its JSON form has the
/// keys of `wharf queue describe --json` (`name`, `activeCount`, ..., `sizeBytes`) plus
/// `oldestMessageAgeMillis`.
public struct QueueRuntimeCounts: Equatable, Sendable, Codable {
    enum CodingKeys: String, CodingKey {
        case entity = "name", activeCount, lockedCount, deferredCount, scheduledCount, deadLetterCount, sizeBytes,
             oldestMessageAgeMillis
    }

    public var entity: String
    public var activeCount = 0
    public var lockedCount = 0
    public var deferredCount = 0
    public var scheduledCount = 0
    /// Messages in the entity's dead-letter subqueue (0 for a dead-letter queue itself).
    public var deadLetterCount = 0
    /// Stored bytes of the messages still in the entity (record sizes).
    public var sizeBytes: Int64 = 0
    /// now - enqueue time of the oldest message still in the entity (scheduled ones excluded); nil if none.
    public var oldestMessageAgeMillis: Int64?
    public var totalCount: Int { activeCount + lockedCount + deferredCount + scheduledCount }
}

/// What a session receiver holds (Service Bus `ServiceBusSessionReceiver`).
public struct SessionLock: Equatable, Sendable {
    public var entity: String
    public var sessionId: String
    public var lockToken: String
    public var lockedUntil: Int64
}
