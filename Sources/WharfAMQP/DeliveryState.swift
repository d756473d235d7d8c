import WharfCore

/// Delivery states and outcomes (part 3 §3.4) as they travel in transfer and disposition.
public enum DeliveryState: Equatable, Sendable {
    public static let receivedDescriptor: UInt64 = 0x23
    public static let acceptedDescriptor: UInt64 = 0x24
    public static let rejectedDescriptor: UInt64 = 0x25
    public static let releasedDescriptor: UInt64 = 0x26
    public static let modifiedDescriptor: UInt64 = 0x27

    case accepted
    case rejected(AMQPError?)
    case released
    case modified(deliveryFailed: Bool, undeliverableHere: Bool, annotations: AMQPValue)
    case received
    /// Transactional or unknown states, kept as sent.
    case other(AMQPValue)

    /// nil for a null state.
    public init?(_ v: AMQPValue) throws(WharfError) {
        if v.isNull { return nil }
        switch v.descriptorCode {
        case Self.acceptedDescriptor: self = .accepted
        case Self.releasedDescriptor: self = .released
        case Self.receivedDescriptor: self = .received
        case Self.rejectedDescriptor:
            let f = try AMQPFields(v, code: Self.rejectedDescriptor, what: "rejected")
            self = .rejected(try AMQPError(f[0]))
        case Self.modifiedDescriptor:
            let f = try AMQPFields(v, code: Self.modifiedDescriptor, what: "modified")
            self = .modified(deliveryFailed: try f.bool(0) ?? false, undeliverableHere: try f.bool(1) ?? false, annotations: f[2])
        default: self = .other(v)
        }
    }

    public var value: AMQPValue {
        switch self {
        case .accepted: .described(Self.acceptedDescriptor, .list([]))
        case .released: .described(Self.releasedDescriptor, .list([]))
        case .received: .described(Self.receivedDescriptor, .list([.uint(0), .ulong(0)]))
        // The settlement echo for dead-letter must carry no error (reference §4.6): `00 53 25 c0 02 01 40`.
        case .rejected(let e): .described(Self.rejectedDescriptor, .list([e?.value ?? .null]))
        case .modified(let failed, let here, let annotations):
            // The echo pyamqp accepts lists three nulls (golden vector); nulls stand for false.
            .described(Self.modifiedDescriptor, .list([failed ? .bool(true) : .null, here ? .bool(true) : .null, annotations]))
        case .other(let v): v
        }
    }
}
