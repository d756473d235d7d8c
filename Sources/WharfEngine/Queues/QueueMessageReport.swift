import WharfAdmin
import WharfCore

/// A queue message as `wharf queue receive|peek --json` and `wharf dlq peek --json` print it
/// (a contract scripts rely on): Service Bus's names, the body exact (`JSONBytes`).
public struct QueueMessageReport: Encodable, Sendable, Equatable {
    public let sequenceNumber: Int64
    public let messageId: String
    public let state: String
    public let deliveryCount: Int
    public let enqueuedTime: String
    public let sessionId: String?
    public let correlationId: String?
    public let subject: String?
    public let contentType: String?
    public let deadLetterReason: String?
    public let deadLetterErrorDescription: String?
    public let properties: [String: String]
    public let body: JSONBytes

    public init(_ m: QueueMessage) {
        sequenceNumber = m.sequenceNumber
        messageId = m.messageId
        state = m.state.rawValue
        deliveryCount = m.deliveryCount
        enqueuedTime = TimeParsing.iso(m.enqueuedTime)
        sessionId = m.sessionId
        correlationId = m.correlationId
        subject = m.subject
        contentType = m.contentType
        deadLetterReason = m.deadLetterReason
        deadLetterErrorDescription = m.deadLetterErrorDescription
        properties = m.applicationProperties
        body = JSONBytes(bytes: m.body)
    }
}

/// One sent message as `wharf queue send --json` prints it.
public struct SendReceiptReport: Encodable, Sendable, Equatable {
    public let sequenceNumber: Int64?
    public let disposition: String
    public let entity: String

    public init(_ r: SendReceipt) {
        sequenceNumber = r.sequenceNumber
        disposition = r.disposition.rawValue
        entity = r.entity
    }
}

/// A queue requeue as `wharf dlq requeue --json` prints it.
public struct RequeueReport: Encodable, Sendable, Equatable {
    public let source: String
    public let target: String
    public let dryRun: Bool
    public let count: Int
    public let sequenceNumbers: [Int64]
    public let newSequenceNumbers: [Int64]
    public let skipped: [Int64]

    public init(_ r: RequeueResult) {
        source = r.source
        target = r.target
        dryRun = r.dryRun
        count = r.count
        sequenceNumbers = r.sequenceNumbers
        newSequenceNumbers = r.newSequenceNumbers
        skipped = r.skipped
    }
}
