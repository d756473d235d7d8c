import WharfCore

/// An AMQP message (part 3 §3.2): the sections of a transfer payload, in any order on input
/// (pyamqp puts delivery-annotations last, reference §3.4), in spec order on output.
public struct AMQPMessage: Equatable, Sendable {
    public static let headerDescriptor: UInt64 = 0x70
    public static let deliveryAnnotationsDescriptor: UInt64 = 0x71
    public static let messageAnnotationsDescriptor: UInt64 = 0x72
    public static let propertiesDescriptor: UInt64 = 0x73
    public static let applicationPropertiesDescriptor: UInt64 = 0x74
    public static let dataDescriptor: UInt64 = 0x75
    public static let sequenceDescriptor: UInt64 = 0x76
    public static let valueDescriptor: UInt64 = 0x77
    public static let footerDescriptor: UInt64 = 0x78

    public var header: Header?
    public var deliveryAnnotations: [AMQPValue.Pair]?
    public var messageAnnotations: [AMQPValue.Pair]?
    public var properties: Properties?
    public var applicationProperties: [AMQPValue.Pair]?
    public var body: Body
    public var footer: [AMQPValue.Pair]?

    public enum Body: Equatable, Sendable {
        case data([[UInt8]])
        case sequence([[AMQPValue]])
        case value(AMQPValue)
    }

    public init(header: Header? = nil, messageAnnotations: [AMQPValue.Pair]? = nil, properties: Properties? = nil,
                applicationProperties: [AMQPValue.Pair]? = nil, body: Body = .value(.null)) {
        self.header = header
        self.messageAnnotations = messageAnnotations
        self.properties = properties
        self.applicationProperties = applicationProperties
        self.body = body
    }

    /// Decodes a transfer payload. A message with no body section gets `.value(.null)`.
    public init(payload: [UInt8]) throws(WharfError) {
        body = .value(.null)
        var data: [[UInt8]] = []
        var sequences: [[AMQPValue]] = []
        for section in try AMQPDecoder.decodeSequence(payload) {
            guard let code = section.descriptorCode, let inner = section.describedValue else {
                throw .malformed("AMQP: a message section is not a described type")
            }
            switch code {
            case Self.headerDescriptor: header = try Header(section)
            case Self.deliveryAnnotationsDescriptor: deliveryAnnotations = try Self.map(inner, "delivery-annotations")
            case Self.messageAnnotationsDescriptor: messageAnnotations = try Self.map(inner, "message-annotations")
            case Self.propertiesDescriptor: properties = try Properties(section)
            case Self.applicationPropertiesDescriptor: applicationProperties = try Self.map(inner, "application-properties")
            case Self.dataDescriptor:
                guard let b = inner.bytes else { throw .malformed("AMQP: data section is not binary") }
                data.append(b)
            case Self.sequenceDescriptor:
                guard case .list(let l) = inner else { throw .malformed("AMQP: amqp-sequence section is not a list") }
                sequences.append(l)
            case Self.valueDescriptor: body = .value(inner)
            case Self.footerDescriptor: footer = try Self.map(inner, "footer")
            default: throw .malformed("AMQP: unknown message section 0x\(String(code, radix: 16))")
            }
        }
        if !data.isEmpty { body = .data(data) } else if !sequences.isEmpty { body = .sequence(sequences) }
    }

    private static func map(_ v: AMQPValue, _ what: String) throws(WharfError) -> [AMQPValue.Pair] {
        switch v {
        case .map(let m): return m
        case .null: return []
        default: throw .malformed("AMQP: \(what) is not a map")
        }
    }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        if let header { AMQPEncoder.encode(header.value, into: &out) }
        if let deliveryAnnotations { AMQPEncoder.encode(.described(Self.deliveryAnnotationsDescriptor, .map(deliveryAnnotations)), into: &out) }
        if let messageAnnotations { AMQPEncoder.encode(.described(Self.messageAnnotationsDescriptor, .map(messageAnnotations)), into: &out) }
        if let properties { AMQPEncoder.encode(properties.value, into: &out) }
        if let applicationProperties {
            AMQPEncoder.encode(.described(Self.applicationPropertiesDescriptor, .map(applicationProperties)), into: &out)
        }
        switch body {
        case .data(let sections): for d in sections { AMQPEncoder.encode(.described(Self.dataDescriptor, .binary(d)), into: &out) }
        case .sequence(let seqs): for s in seqs { AMQPEncoder.encode(.described(Self.sequenceDescriptor, .list(s)), into: &out) }
        case .value(let v): AMQPEncoder.encode(.described(Self.valueDescriptor, v), into: &out)
        }
        if let footer { AMQPEncoder.encode(.described(Self.footerDescriptor, .map(footer)), into: &out) }
        return out
    }

    /// The value of a message annotation (symbol key).
    public func annotation(_ key: String) -> AMQPValue? { messageAnnotations?.first { $0.key.text == key }?.value }

    public struct Header: Equatable, Sendable {
        public var durable: Bool?
        public var priority: UInt8?
        public var ttl: UInt32?
        public var firstAcquirer: Bool?
        public var deliveryCount: UInt32?

        public init(durable: Bool? = nil, priority: UInt8? = nil, ttl: UInt32? = nil, firstAcquirer: Bool? = nil, deliveryCount: UInt32? = nil) {
            self.durable = durable
            self.priority = priority
            self.ttl = ttl
            self.firstAcquirer = firstAcquirer
            self.deliveryCount = deliveryCount
        }

        init(_ v: AMQPValue) throws(WharfError) {
            let f = try AMQPFields(v, code: AMQPMessage.headerDescriptor, what: "header")
            durable = try f.bool(0)
            priority = try f.uint(1).map { UInt8(clamping: $0) }
            ttl = try f.uint(2)
            firstAcquirer = try f.bool(3)
            deliveryCount = try f.uint(4)
        }

        var value: AMQPValue {
            .described(AMQPMessage.headerDescriptor, .list([durable.amqp, priority.map { .ubyte($0) } ?? .null, ttl.amqp,
                                                            firstAcquirer.amqp, deliveryCount.amqp]))
        }
    }

    /// The properties section. `messageId` and `correlationId` keep their AMQP type (string,
    /// uuid, ulong or binary): Service Bus treats the bare message as immutable.
    public struct Properties: Equatable, Sendable {
        public var messageId: AMQPValue = .null
        public var userId: [UInt8]?
        public var to: String?
        public var subject: String?
        public var replyTo: String?
        public var correlationId: AMQPValue = .null
        public var contentType: String?
        public var contentEncoding: String?
        public var absoluteExpiryTime: Int64?
        public var creationTime: Int64?
        public var groupId: String?
        public var groupSequence: UInt32?
        public var replyToGroupId: String?

        public init(messageId: AMQPValue = .null, to: String? = nil, subject: String? = nil, replyTo: String? = nil,
                    correlationId: AMQPValue = .null, contentType: String? = nil, groupId: String? = nil) {
            self.messageId = messageId
            self.to = to
            self.subject = subject
            self.replyTo = replyTo
            self.correlationId = correlationId
            self.contentType = contentType
            self.groupId = groupId
        }

        init(_ v: AMQPValue) throws(WharfError) {
            let f = try AMQPFields(v, code: AMQPMessage.propertiesDescriptor, what: "properties")
            messageId = f[0]
            userId = try f.binary(1)
            to = try f.text(2)
            subject = try f.text(3)
            replyTo = try f.text(4)
            correlationId = f[5]
            contentType = try f.text(6)
            contentEncoding = try f.text(7)
            absoluteExpiryTime = f[8].timestampValue
            creationTime = f[9].timestampValue
            groupId = try f.text(10)
            groupSequence = try f.uint(11)
            replyToGroupId = try f.text(12)
        }

        var value: AMQPValue {
            .described(AMQPMessage.propertiesDescriptor, .list([
                messageId, userId.map { .binary($0) } ?? .null, to.amqpString, subject.amqpString, replyTo.amqpString, correlationId,
                contentType.amqpSymbol, contentEncoding.amqpSymbol, absoluteExpiryTime.map { .timestamp($0) } ?? .null,
                creationTime.map { .timestamp($0) } ?? .null, groupId.amqpString, groupSequence.amqp, replyToGroupId.amqpString,
            ]))
        }
    }
}
