import WharfCore

/// How a queue message is laid out as one Kafka record in an entity's message log.
///
/// - key: the message id (UTF-8); value: the body; timestamp: the enqueue time (ms).
/// - headers, system properties (broker-owned prefix `x-sb-`, values UTF-8 text):
///   `x-sb-correlation-id`, `x-sb-session-id`, `x-sb-subject`, `x-sb-content-type`,
///   `x-sb-reply-to`, `x-sb-to`, `x-sb-reply-to-session-id`, `x-sb-partition-key`, `x-sb-ttl-ms` (decimal), `x-sb-scheduled-enqueue-time` (decimal ms),
///   `x-sb-delivery-count` (decimal: the count a dead-lettered message had in its source),
///   `x-sb-hop-count` (decimal, forwards so far), `x-sb-deadletter-source` (entity path),
///   `x-sb-moved-from` (`<entity path>#<sequence number>`: this record is the copy of that message,
///   written by the two-step move protocol; see `QueueStore+Move.swift`), and
///   `x-sb-moved-from-created` (creation time of the source queue, so a re-created queue of the
///   same name is never mistaken for the source), `x-sb-fanout` (`<topic>#<offset>`: the topic
///   fan-out intent this copy belongs to, see `TopicFanOut`).
///   `x-sb-type:NAME` (an `ApplicationPropertyType`): the wire type of application property NAME
///   when it is not a string.
/// - every other header is an application property (`DeadLetterReason`,
///   `DeadLetterErrorDescription`, `requeue-count` included), in key order.
///
/// The sequence number is not stored: it is the record's offset + 1.
enum QueueMessageCodec {
    static let deadLetterReason = "DeadLetterReason"
    static let deadLetterDescription = "DeadLetterErrorDescription"
    static let requeueCount = "requeue-count"
    static let systemPrefix = "x-sb-"
    static let correlationId = "x-sb-correlation-id"
    static let sessionId = "x-sb-session-id"
    static let subject = "x-sb-subject"
    static let contentType = "x-sb-content-type"
    static let replyTo = "x-sb-reply-to"
    static let to = "x-sb-to"
    static let replyToSessionId = "x-sb-reply-to-session-id"
    static let partitionKey = "x-sb-partition-key"
    static let ttl = "x-sb-ttl-ms"
    static let scheduled = "x-sb-scheduled-enqueue-time"
    static let hopCount = "x-sb-hop-count"
    static let deadLetterSource = "x-sb-deadletter-source"
    static let movedFrom = "x-sb-moved-from"
    /// `<topic>#<intent offset>` on a copy a topic fan-out wrote (see `TopicFanOut`).
    static let fanOut = "x-sb-fanout"
    static let movedFromIncarnation = "x-sb-moved-from-created"
    static let deliveryCount = "x-sb-delivery-count"
    static let propertyTypePrefix = "x-sb-type:"

    /// The stored form of a message, independent of its entity and state.
    struct Stored: Equatable, Sendable {
        var messageId: String
        var body: [UInt8]
        var system: [String: String]
        var properties: [String: String]

        init(_ m: OutgoingMessage) {
            messageId = m.messageId
            body = m.body
            properties = m.applicationProperties
            system = [:]
            // Only the properties present (assigning nil still hashes the key): most messages have none.
            for (key, value) in [(correlationId, m.correlationId), (sessionId, m.sessionId), (subject, m.subject),
                                 (contentType, m.contentType), (replyTo, m.replyTo), (to, m.to),
                                 (replyToSessionId, m.replyToSessionId), (partitionKey, m.partitionKey)] {
                if let value { system[key] = value }
            }
            if let t = m.timeToLiveMillis { system[ttl] = String(t) }
            if let t = m.scheduledEnqueueTime { system[scheduled] = String(t) }
            for (name, type) in m.applicationPropertyTypes where properties[name] != nil { system[propertyTypePrefix + name] = type.rawValue }
        }

        init(record: StoredRecord) {
            messageId = String(decoding: record.key ?? [], as: UTF8.self)
            body = record.value ?? []
            system = [:]
            properties = [:]
            for h in record.headers {
                let v = String(decoding: h.value ?? [], as: UTF8.self)
                if h.key.hasPrefix(systemPrefix) { system[h.key] = v } else { properties[h.key] = v }
            }
        }

        var sessionIdValue: String? { system[sessionId] }
        var ttlMillis: Int64? { system[ttl].flatMap { Int64($0) } }
        var scheduledTime: Int64? { system[scheduled].flatMap { Int64($0) } }
        var hops: Int { system[hopCount].flatMap { Int($0) } ?? 0 }

        /// The typed application properties (a type naming no property, or an unknown type, is ignored).
        var propertyTypes: [String: ApplicationPropertyType] {
            var types: [String: ApplicationPropertyType] = [:]
            for (key, value) in system where key.hasPrefix(propertyTypePrefix) {
                let name = String(key.dropFirst(propertyTypePrefix.count))
                if properties[name] != nil, let type = ApplicationPropertyType(rawValue: value) { types[name] = type }
            }
            return types
        }

        /// (entity, sequence number) of the message this record is a moved copy of.
        var movedFromValue: MoveMarker? {
            guard let v = system[movedFrom], let hash = v.lastIndex(of: "#"),
                  let seq = Int64(v[v.index(after: hash)...]) else { return nil }
            return MoveMarker(entity: String(v[..<hash]), seq: seq, created: system[movedFromIncarnation].flatMap { Int64($0) } ?? 0)
        }

        func record(enqueuedAt: Int64) -> Record {
            var headers: [RecordHeader] = []
            for k in system.keys.sorted() { headers.append(RecordHeader(k, system[k]!)) }
            for k in properties.keys.sorted() { headers.append(RecordHeader(k, properties[k]!)) }
            return Record(key: Array(messageId.utf8), value: body, headers: headers, timestamp: enqueuedAt)
        }

        func encoded(enqueuedAt: Int64) -> [UInt8] {
            RecordBatchBuilder.encode([record(enqueuedAt: enqueuedAt)], defaultTimestamp: enqueuedAt)
        }

        func message(entity: String, sequenceNumber: Int64, enqueuedTime: Int64) -> QueueMessage {
            QueueMessage(sequenceNumber: sequenceNumber, entity: entity, messageId: messageId, body: body,
                         correlationId: system[correlationId], sessionId: system[sessionId], subject: system[subject],
                         contentType: system[contentType], replyTo: system[replyTo], to: system[to],
                         timeToLiveMillis: ttlMillis, scheduledEnqueueTime: scheduledTime, enqueuedTime: enqueuedTime,
                         expiresAt: nil, deliveryCount: 0, state: .active, lockToken: nil, lockedUntil: nil,
                         applicationProperties: properties, applicationPropertyTypes: propertyTypes, deadLetterSource: system[deadLetterSource],
                         transferHopCount: hops, replyToSessionId: system[replyToSessionId], partitionKey: system[partitionKey])
        }
    }

    static func validate(_ m: OutgoingMessage) throws(WharfError) {
        for k in m.applicationProperties.keys where k.hasPrefix(systemPrefix) {
            throw .invalidArgument("application property '\(k)' uses the reserved prefix '\(systemPrefix)'")
        }
        if let ttl = m.timeToLiveMillis, ttl <= 0 { throw .invalidArgument("time to live must be positive, got \(ttl) ms") }
        if let s = m.sessionId, s.isEmpty || s.utf8.count > 128 { throw .invalidArgument("session id must be 1-128 characters") }
        if let key = m.partitionKey {
            guard key.utf8.count <= 128 else { throw .invalidArgument("partition key longer than 128 characters") }
            // Service Bus hashes the session id as the partition key, so the two must agree.
            if let s = m.sessionId, s != key {
                throw .invalidArgument("the partition key '\(key)' differs from the session id '\(s)'; when both are set they must be equal")
            }
        }
    }
}

/// Where a moved copy came from: entity path, sequence number, and the source queue's creation time.
struct MoveMarker: Equatable, Sendable {
    var entity: String
    var seq: Int64
    var created: Int64
}
