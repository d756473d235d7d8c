import WharfCore

/// The nine AMQP 1.0 performatives (part 2 §2.7), decoded from and encoded to described lists.
/// Wharf encodes every field, nulls included, as pyamqp does (reference §7.3: 7.14.x indexes
/// fields by position).
public enum Performative: Equatable, Sendable {
    case open(Open)
    case begin(Begin)
    case attach(Attach)
    case flow(Flow)
    case transfer(Transfer)
    case disposition(Disposition)
    case detach(Detach)
    case end(End)
    case close(Close)

    public init(_ value: AMQPValue) throws(WharfError) {
        switch value.descriptorCode {
        case Open.descriptor: self = .open(try Open(value))
        case Begin.descriptor: self = .begin(try Begin(value))
        case Attach.descriptor: self = .attach(try Attach(value))
        case Flow.descriptor: self = .flow(try Flow(value))
        case Transfer.descriptor: self = .transfer(try Transfer(value))
        case Disposition.descriptor: self = .disposition(try Disposition(value))
        case Detach.descriptor: self = .detach(try Detach(value))
        case End.descriptor: self = .end(try End(value))
        case Close.descriptor: self = .close(try Close(value))
        default: throw .malformed("AMQP: unknown performative \(value.descriptorCode.map { String($0, radix: 16) } ?? "?")")
        }
    }

    public var value: AMQPValue {
        switch self {
        case .open(let p): p.value
        case .begin(let p): p.value
        case .attach(let p): p.value
        case .flow(let p): p.value
        case .transfer(let p): p.value
        case .disposition(let p): p.value
        case .detach(let p): p.value
        case .end(let p): p.value
        case .close(let p): p.value
        }
    }
}

public struct Open: Equatable, Sendable {
    public static let descriptor: UInt64 = 0x10
    public var containerId: String
    public var hostname: String?
    public var maxFrameSize: UInt32 = .max
    public var channelMax: UInt16 = .max
    /// Milliseconds; nil or 0: the peer never times out.
    public var idleTimeout: UInt32?
    public var properties: AMQPValue = .null

    public init(containerId: String, hostname: String? = nil, maxFrameSize: UInt32 = .max, channelMax: UInt16 = .max,
                idleTimeout: UInt32? = nil, properties: AMQPValue = .null) {
        self.containerId = containerId
        self.hostname = hostname
        self.maxFrameSize = maxFrameSize
        self.channelMax = channelMax
        self.idleTimeout = idleTimeout
        self.properties = properties
    }

    public init(_ v: AMQPValue) throws(WharfError) {
        let f = try AMQPFields(v, code: Self.descriptor, what: "open")
        containerId = try f.required(try f.text(0), 0)
        hostname = try f.text(1)
        maxFrameSize = try f.uint(2) ?? .max
        channelMax = try f.uint(3).map { UInt16(clamping: $0) } ?? .max
        idleTimeout = try f.uint(4)
        properties = f[9]
    }

    public var value: AMQPValue {
        .described(Self.descriptor, .list([.string(containerId), hostname.amqpString, .uint(maxFrameSize), .ushort(channelMax),
                                           idleTimeout.amqp, .null, .null, .null, .null, properties]))
    }
}

public struct Begin: Equatable, Sendable {
    public static let descriptor: UInt64 = 0x11
    public var remoteChannel: UInt16?
    public var nextOutgoingId: UInt32
    public var incomingWindow: UInt32
    public var outgoingWindow: UInt32
    public var handleMax: UInt32 = .max

    public init(remoteChannel: UInt16?, nextOutgoingId: UInt32, incomingWindow: UInt32, outgoingWindow: UInt32, handleMax: UInt32 = .max) {
        self.remoteChannel = remoteChannel
        self.nextOutgoingId = nextOutgoingId
        self.incomingWindow = incomingWindow
        self.outgoingWindow = outgoingWindow
        self.handleMax = handleMax
    }

    public init(_ v: AMQPValue) throws(WharfError) {
        let f = try AMQPFields(v, code: Self.descriptor, what: "begin")
        remoteChannel = try f.uint(0).map { UInt16(clamping: $0) }
        nextOutgoingId = try f.required(try f.uint(1), 1)
        incomingWindow = try f.required(try f.uint(2), 2)
        outgoingWindow = try f.required(try f.uint(3), 3)
        handleMax = try f.uint(4) ?? .max
    }

    public var value: AMQPValue {
        .described(Self.descriptor, .list([remoteChannel.map { .ushort($0) } ?? .null, .uint(nextOutgoingId), .uint(incomingWindow),
                                           .uint(outgoingWindow), .uint(handleMax), .null, .null, .null]))
    }
}

/// A link endpoint's source (0x28) or target (0x29). Wharf echoes `raw` verbatim (reference §0.2 #5).
public struct Terminus: Equatable, Sendable {
    public static let sourceDescriptor: UInt64 = 0x28
    public static let targetDescriptor: UInt64 = 0x29
    public var raw: AMQPValue
    public var address: String?
    /// The source's filter set (field 7 of a source), null for a target.
    public var filter: AMQPValue

    public init(_ raw: AMQPValue) throws(WharfError) {
        self.raw = raw
        guard let code = raw.descriptorCode, code == Self.sourceDescriptor || code == Self.targetDescriptor else {
            throw .malformed("AMQP: source/target is not a described source or target")
        }
        let f = try AMQPFields(raw, code: code, what: "terminus")
        address = try f.text(0)
        filter = code == Self.sourceDescriptor ? f[7] : .null
    }

    /// A source or target with only an address (and a source's filter).
    public static func make(source: Bool, address: String, filter: AMQPValue = .null) -> AMQPValue {
        if source {
            return .described(sourceDescriptor, .list([.string(address), .null, .null, .null, .null, .null, .null, filter, .null, .null, .null]))
        }
        return .described(targetDescriptor, .list([.string(address), .null, .null, .null, .null, .null, .null]))
    }
}

public struct Attach: Equatable, Sendable {
    public static let descriptor: UInt64 = 0x12
    public var name: String
    public var handle: UInt32
    /// true: the sender of this frame is the link's receiver.
    public var isReceiver: Bool
    /// 0 unsettled, 1 settled, 2 mixed.
    public var sndSettleMode: UInt8 = 2
    /// 0 first, 1 second.
    public var rcvSettleMode: UInt8 = 0
    public var source: AMQPValue = .null
    public var target: AMQPValue = .null
    public var initialDeliveryCount: UInt32?
    public var maxMessageSize: UInt64?
    public var properties: AMQPValue = .null

    public init(name: String, handle: UInt32, isReceiver: Bool, sndSettleMode: UInt8 = 2, rcvSettleMode: UInt8 = 0,
                source: AMQPValue = .null, target: AMQPValue = .null, initialDeliveryCount: UInt32? = nil,
                maxMessageSize: UInt64? = nil, properties: AMQPValue = .null) {
        self.name = name
        self.handle = handle
        self.isReceiver = isReceiver
        self.sndSettleMode = sndSettleMode
        self.rcvSettleMode = rcvSettleMode
        self.source = source
        self.target = target
        self.initialDeliveryCount = initialDeliveryCount
        self.maxMessageSize = maxMessageSize
        self.properties = properties
    }

    public init(_ v: AMQPValue) throws(WharfError) {
        let f = try AMQPFields(v, code: Self.descriptor, what: "attach")
        name = try f.required(try f.text(0), 0)
        handle = try f.required(try f.uint(1), 1)
        isReceiver = try f.required(try f.bool(2), 2)
        sndSettleMode = try f.uint(3).map { UInt8(clamping: $0) } ?? 2
        rcvSettleMode = try f.uint(4).map { UInt8(clamping: $0) } ?? 0
        source = f[5]
        target = f[6]
        initialDeliveryCount = try f.uint(9)
        maxMessageSize = try f.ulong(10)
        properties = f[13]
    }

    public var sourceTerminus: Terminus? { source.isNull ? nil : try? Terminus(source) }
    public var targetTerminus: Terminus? { target.isNull ? nil : try? Terminus(target) }

    public var value: AMQPValue {
        .described(Self.descriptor, .list([
            .string(name), .uint(handle), .bool(isReceiver), .ubyte(sndSettleMode), .ubyte(rcvSettleMode), source, target,
            .null, .null, initialDeliveryCount.amqp, maxMessageSize.map { .ulong($0) } ?? .null, .null, .null, properties,
        ]))
    }
}

public struct Flow: Equatable, Sendable {
    public static let descriptor: UInt64 = 0x13
    public var nextIncomingId: UInt32?
    public var incomingWindow: UInt32
    public var nextOutgoingId: UInt32
    public var outgoingWindow: UInt32
    public var handle: UInt32?
    public var deliveryCount: UInt32?
    public var linkCredit: UInt32?
    public var available: UInt32?
    public var drain = false
    public var echo = false

    public init(nextIncomingId: UInt32?, incomingWindow: UInt32, nextOutgoingId: UInt32, outgoingWindow: UInt32,
                handle: UInt32? = nil, deliveryCount: UInt32? = nil, linkCredit: UInt32? = nil, available: UInt32? = nil,
                drain: Bool = false, echo: Bool = false) {
        self.nextIncomingId = nextIncomingId
        self.incomingWindow = incomingWindow
        self.nextOutgoingId = nextOutgoingId
        self.outgoingWindow = outgoingWindow
        self.handle = handle
        self.deliveryCount = deliveryCount
        self.linkCredit = linkCredit
        self.available = available
        self.drain = drain
        self.echo = echo
    }

    public init(_ v: AMQPValue) throws(WharfError) {
        let f = try AMQPFields(v, code: Self.descriptor, what: "flow")
        nextIncomingId = try f.uint(0)
        incomingWindow = try f.required(try f.uint(1), 1)
        nextOutgoingId = try f.required(try f.uint(2), 2)
        outgoingWindow = try f.required(try f.uint(3), 3)
        handle = try f.uint(4)
        deliveryCount = try f.uint(5)
        linkCredit = try f.uint(6)
        available = try f.uint(7)
        drain = try f.bool(8) ?? false
        echo = try f.bool(9) ?? false
    }

    public var value: AMQPValue {
        .described(Self.descriptor, .list([nextIncomingId.amqp, .uint(incomingWindow), .uint(nextOutgoingId), .uint(outgoingWindow),
                                           handle.amqp, deliveryCount.amqp, linkCredit.amqp, available.amqp, drain ? .bool(true) : .null,
                                           echo ? .bool(true) : .null, .null]))
    }
}

public struct Transfer: Equatable, Sendable {
    public static let descriptor: UInt64 = 0x14
    /// The message format of a Service Bus batch (reference §3.5).
    public static let batchFormat: UInt32 = 0x8001_3700
    public var handle: UInt32
    public var deliveryId: UInt32?
    public var deliveryTag: [UInt8]?
    public var messageFormat: UInt32?
    public var settled: Bool?
    public var more = false
    public var state: AMQPValue = .null
    public var aborted = false

    public init(handle: UInt32, deliveryId: UInt32? = nil, deliveryTag: [UInt8]? = nil, messageFormat: UInt32? = nil,
                settled: Bool? = nil, more: Bool = false, state: AMQPValue = .null, aborted: Bool = false) {
        self.handle = handle
        self.deliveryId = deliveryId
        self.deliveryTag = deliveryTag
        self.messageFormat = messageFormat
        self.settled = settled
        self.more = more
        self.state = state
        self.aborted = aborted
    }

    public init(_ v: AMQPValue) throws(WharfError) {
        let f = try AMQPFields(v, code: Self.descriptor, what: "transfer")
        handle = try f.required(try f.uint(0), 0)
        deliveryId = try f.uint(1)
        deliveryTag = try f.binary(2)
        messageFormat = try f.uint(3)
        settled = try f.bool(4)
        more = try f.bool(5) ?? false
        state = f[7]
        aborted = try f.bool(9) ?? false
    }

    public var value: AMQPValue {
        .described(Self.descriptor, .list([.uint(handle), deliveryId.amqp, deliveryTag.map { .binary($0) } ?? .null, messageFormat.amqp,
                                           settled.amqp, .bool(more), .null, state, .null, aborted ? .bool(true) : .null, .null]))
    }
}

public struct Disposition: Equatable, Sendable {
    public static let descriptor: UInt64 = 0x15
    /// true: the sender of this frame is the receiver of the deliveries.
    public var isReceiver: Bool
    public var first: UInt32
    public var last: UInt32?
    public var settled = false
    public var state: AMQPValue = .null

    public init(isReceiver: Bool, first: UInt32, last: UInt32? = nil, settled: Bool, state: AMQPValue) {
        self.isReceiver = isReceiver
        self.first = first
        self.last = last
        self.settled = settled
        self.state = state
    }

    public init(_ v: AMQPValue) throws(WharfError) {
        let f = try AMQPFields(v, code: Self.descriptor, what: "disposition")
        isReceiver = try f.required(try f.bool(0), 0)
        first = try f.required(try f.uint(1), 1)
        last = try f.uint(2)
        settled = try f.bool(3) ?? false
        state = f[4]
    }

    public var value: AMQPValue {
        .described(Self.descriptor, .list([.bool(isReceiver), .uint(first), last.amqp, .bool(settled), state, .null]))
    }
}

public struct Detach: Equatable, Sendable {
    public static let descriptor: UInt64 = 0x16
    public var handle: UInt32
    public var closed = false
    public var error: AMQPError?

    public init(handle: UInt32, closed: Bool, error: AMQPError? = nil) {
        self.handle = handle
        self.closed = closed
        self.error = error
    }

    public init(_ v: AMQPValue) throws(WharfError) {
        let f = try AMQPFields(v, code: Self.descriptor, what: "detach")
        handle = try f.required(try f.uint(0), 0)
        closed = try f.bool(1) ?? false
        error = try AMQPError(f[2])
    }

    public var value: AMQPValue { .described(Self.descriptor, .list([.uint(handle), .bool(closed), error?.value ?? .null])) }
}

public struct End: Equatable, Sendable {
    public static let descriptor: UInt64 = 0x17
    public var error: AMQPError?

    public init(error: AMQPError? = nil) { self.error = error }

    public init(_ v: AMQPValue) throws(WharfError) {
        error = try AMQPError(try AMQPFields(v, code: Self.descriptor, what: "end")[0])
    }

    public var value: AMQPValue { .described(Self.descriptor, .list([error?.value ?? .null])) }
}

public struct Close: Equatable, Sendable {
    public static let descriptor: UInt64 = 0x18
    public var error: AMQPError?

    public init(error: AMQPError? = nil) { self.error = error }

    public init(_ v: AMQPValue) throws(WharfError) {
        error = try AMQPError(try AMQPFields(v, code: Self.descriptor, what: "close")[0])
    }

    public var value: AMQPValue { .described(Self.descriptor, .list([error?.value ?? .null])) }
}
