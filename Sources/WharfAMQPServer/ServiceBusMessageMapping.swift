import Foundation
import WharfAMQP
import WharfCore
import WharfEngine

/// AMQP messages to and from the queue engine's model (reference §3.4, §4.5).
///
/// The engine stores a message's body as bytes and application properties as text with their
/// type, so what a sender put on the wire comes back as: data sections joined into one, an
/// amqp-value body as its text (strings) or AMQP encoding, application properties in the type
/// they were sent with (symbols as strings), and ids as strings (uuid message ids in their
/// lower-case canonical form).
enum ServiceBusMessageMapping {
    static let sequenceNumber = "x-opt-sequence-number"
    static let enqueueSequenceNumber = "x-opt-enqueue-sequence-number"
    static let enqueuedTime = "x-opt-enqueued-time"
    static let lockedUntil = "x-opt-locked-until"
    static let scheduledEnqueueTime = "x-opt-scheduled-enqueue-time"
    static let messageState = "x-opt-message-state"
    static let deadLetterSource = "x-opt-deadletter-source"
    static let partitionKey = "x-opt-partition-key"

    /// The messages a transfer carries: one, or each data section of a batch (format 0x80013700).
    static func incoming(_ payload: [UInt8], messageFormat: UInt32?) throws(WharfError) -> [OutgoingMessage] {
        let message = try AMQPMessage(payload: payload)
        guard messageFormat == Transfer.batchFormat else { return [try outgoing(message)] }
        guard case .data(let inner) = message.body else { throw .malformed("AMQP: a batch without data sections") }
        var out: [OutgoingMessage] = []
        for section in inner { out.append(try outgoing(try AMQPMessage(payload: section))) }
        return out
    }

    static func outgoing(_ m: AMQPMessage) throws(WharfError) -> OutgoingMessage {
        var out = OutgoingMessage(body: body(m.body))
        if let p = m.properties {
            out.messageId = text(p.messageId) ?? ""
            out.correlationId = text(p.correlationId)
            out.sessionId = p.groupId
            out.subject = p.subject
            out.contentType = p.contentType
            out.replyTo = p.replyTo
            out.to = p.to
            out.replyToSessionId = p.replyToGroupId
        }
        guard out.messageId.utf8.count <= 128 else { throw .invalidArgument("message id longer than 128 characters") }
        if let ttl = m.header?.ttl, ttl > 0 { out.timeToLiveMillis = Int64(ttl) }
        switch m.annotation(partitionKey) {
        case nil, .null?: break
        case .string(let key)?, .symbol(let key)?: out.partitionKey = key
        case let other?: throw .invalidArgument("x-opt-partition-key must be a string, got \(other)")
        }
        if let at = m.annotation(scheduledEnqueueTime)?.timestampValue ?? m.annotation(scheduledEnqueueTime)?.integer {
            out.scheduledEnqueueTime = at
        }
        for pair in m.applicationProperties ?? [] {
            guard let key = pair.key.text, let value = stored(pair.value) else { continue }
            out.applicationProperties[key] = value.text
            out.applicationPropertyTypes[key] = value.type
        }
        return out
    }

    private static func body(_ b: AMQPMessage.Body) -> [UInt8] {
        switch b {
        case .data(let sections): return sections.count == 1 ? sections[0] : sections.flatMap { $0 }
        case .value(.null): return []
        case .value(.string(let s)): return Array(s.utf8)
        case .value(.binary(let b)): return b
        case .value(let v): return AMQPEncoder.encode(v)
        case .sequence(let s): return AMQPEncoder.encode(.list(s.map { .list($0) }))
        }
    }

    /// Text of an id or property value (nil for null).
    static func text(_ v: AMQPValue) -> String? {
        switch v {
        case .null: nil
        case .string(let s), .symbol(let s): s
        case .uuid(let u): u.uuidString.lowercased()
        case .binary(let b): hex(b)
        case .bool(let b): b ? "true" : "false"
        case .timestamp(let t): String(t)
        case .float(let f): String(f)
        case .double(let d): String(d)
        default: v.integer.map(String.init) ?? "\(v)"
        }
    }

    /// A stored message as the SDK receives it (peek, receive, receive-by-sequence-number).
    static func delivered(_ m: QueueMessage, peeked: Bool) -> AMQPMessage {
        var annotations: [AMQPValue.Pair] = [
            .init(.symbol(sequenceNumber), .long(m.sequenceNumber)),
            // Service Bus differs only for auto-forwarded messages, which Wharf does not have (.NET casts it to long).
            .init(.symbol(enqueueSequenceNumber), .long(m.sequenceNumber)),
            .init(.symbol(enqueuedTime), .timestamp(m.enqueuedTime)),
        ]
        if let until = m.lockedUntil { annotations.append(.init(.symbol(lockedUntil), .timestamp(until))) }
        if let at = m.scheduledEnqueueTime { annotations.append(.init(.symbol(scheduledEnqueueTime), .timestamp(at))) }
        if let source = m.deadLetterSource { annotations.append(.init(.symbol(deadLetterSource), .string(source))) }
        if let key = m.partitionKey { annotations.append(.init(.symbol(partitionKey), .string(key))) }
        let state: Int32 = switch m.state {
        case .deferred: 1
        case .scheduled: 2
        case .active, .locked: 0
        }
        annotations.append(.init(.symbol(messageState), .int(state)))
        var props = AMQPMessage.Properties(messageId: .string(m.messageId), to: m.to, subject: m.subject, replyTo: m.replyTo,
                                           correlationId: m.correlationId.map { .string($0) } ?? .null, contentType: m.contentType,
                                           groupId: m.sessionId)
        props.replyToGroupId = m.replyToSessionId
        props.creationTime = m.enqueuedTime
        props.absoluteExpiryTime = m.expiresAt
        // header.delivery-count counts the previous attempts (reference §4.5); the engine counts this one too.
        let previous = peeked ? m.deliveryCount : max(0, m.deliveryCount - 1)
        let header = AMQPMessage.Header(ttl: m.timeToLiveMillis.flatMap { UInt32(exactly: $0) }, deliveryCount: UInt32(clamping: previous))
        return AMQPMessage(header: header, messageAnnotations: annotations, properties: props,
                           applicationProperties: m.applicationProperties.sorted { $0.key < $1.key }
                               .map { .init(.string($0.key), wire($0.value, m.applicationPropertyTypes[$0.key])) },
                           body: .data([m.body]))
    }
}
