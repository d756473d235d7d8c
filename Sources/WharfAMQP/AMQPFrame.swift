import WharfCore

/// One AMQP frame (AMQP 1.0 part 2 §2.3): `size(4) doff(1) type(1) channel(2)`, an extended
/// header of `doff*4 - 8` bytes (skipped), then the body. A frame with no body is a heartbeat.
public struct AMQPFrame: Equatable, Sendable {
    public static let typeAMQP: UInt8 = 0
    public static let typeSASL: UInt8 = 1
    /// The smallest max-frame-size a peer may announce (part 2 §2.7.1).
    public static let minMaxFrameSize: UInt32 = 512

    public var type: UInt8
    public var channel: UInt16
    public var body: [UInt8]

    public init(type: UInt8 = AMQPFrame.typeAMQP, channel: UInt16, body: [UInt8]) {
        self.type = type
        self.channel = channel
        self.body = body
    }

    /// A frame carrying `performative` (and a transfer's payload).
    public init(type: UInt8 = AMQPFrame.typeAMQP, channel: UInt16, performative: AMQPValue, payload: [UInt8] = []) {
        var body = AMQPEncoder.encode(performative)
        body += payload
        self.init(type: type, channel: channel, body: body)
    }

    /// The bytes of a frame carrying `performative` (and a transfer's payload), what
    /// `AMQPFrame(type:channel:performative:payload:).encoded()` gives, built in one buffer:
    /// the frame header, the performative encoded in place, the payload copied once.
    public static func encode(type: UInt8 = AMQPFrame.typeAMQP, channel: UInt16, performative: AMQPValue,
                              payload: [UInt8] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + payload.count)
        out += [0, 0, 0, 0, 2, type]
        out.appendBigEndian(channel)
        AMQPEncoder.encode(performative, into: &out)
        out += payload
        let size = UInt32(truncatingIfNeeded: out.count)
        out[0] = UInt8(truncatingIfNeeded: size >> 24)
        out[1] = UInt8(truncatingIfNeeded: size >> 16)
        out[2] = UInt8(truncatingIfNeeded: size >> 8)
        out[3] = UInt8(truncatingIfNeeded: size)
        return out
    }

    public static func heartbeat() -> AMQPFrame { AMQPFrame(channel: 0, body: []) }

    public var isHeartbeat: Bool { body.isEmpty }

    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(8 + body.count)
        out.appendBigEndian(UInt32(truncatingIfNeeded: 8 + body.count))
        out += [2, type]
        out.appendBigEndian(channel)
        out += body
        return out
    }

    /// The performative and the bytes after it (a transfer's payload).
    public func split() throws(WharfError) -> (performative: AMQPValue, payload: [UInt8]) {
        try body.withBytes { (raw) throws(WharfError) in
            var r = ByteReader(raw)
            let p = try AMQPDecoder.value(&r)
            return (p, Array(raw[r.position...]))
        }
    }
}

/// The 8-byte protocol header `AMQP id major minor revision` (id 0 AMQP, 2 TLS, 3 SASL).
public struct AMQPProtocolHeader: Equatable, Sendable {
    public static let amqp = AMQPProtocolHeader(protocolId: 0)
    public static let sasl = AMQPProtocolHeader(protocolId: 3)

    public var protocolId: UInt8
    public var major: UInt8 = 1
    public var minor: UInt8 = 0
    public var revision: UInt8 = 0

    public var bytes: [UInt8] { [0x41, 0x4d, 0x51, 0x50, protocolId, major, minor, revision] }
}

/// What the byte stream of a connection yields next.
public enum AMQPInbound: Equatable, Sendable {
    case header(AMQPProtocolHeader)
    case frame(AMQPFrame)
}

/// Sans-I/O framing of an AMQP connection's inbound bytes.
public enum AMQPFraming {
    /// Parses one item from the start of `bytes`: a protocol header when `expectHeader`, else a
    /// frame no larger than `maxFrameSize`. Returns nil when more bytes are needed, with the
    /// number of bytes consumed otherwise. Throws `malformed` for a bad header or frame size.
    public static func parse(_ bytes: UnsafeRawBufferPointer, expectHeader: Bool,
                             maxFrameSize: UInt32) throws(WharfError) -> (AMQPInbound, consumed: Int)? {
        if expectHeader {
            guard bytes.count >= 8 else {
                // Fail early on garbage rather than waiting for 8 bytes of it.
                let prefix: [UInt8] = [0x41, 0x4d, 0x51, 0x50]
                for i in 0..<min(bytes.count, 4) where bytes[i] != prefix[i] {
                    throw .malformed("AMQP: not an AMQP protocol header")
                }
                return nil
            }
            guard bytes[0] == 0x41, bytes[1] == 0x4d, bytes[2] == 0x51, bytes[3] == 0x50 else {
                throw .malformed("AMQP: not an AMQP protocol header")
            }
            return (.header(AMQPProtocolHeader(protocolId: bytes[4], major: bytes[5], minor: bytes[6], revision: bytes[7])), 8)
        }
        guard bytes.count >= 8 else { return nil }
        let size = bytes.loadBigEndian(at: 0, as: UInt32.self)
        let doff = Int(bytes[4])
        guard size >= 8, size <= maxFrameSize else { throw .malformed("AMQP: frame size \(size) outside 8...\(maxFrameSize)") }
        guard doff >= 2, doff * 4 <= Int(size) else { throw .malformed("AMQP: data offset \(doff) in a frame of \(size) bytes") }
        guard bytes.count >= Int(size) else { return nil }
        let frame = AMQPFrame(type: bytes[5], channel: bytes.loadBigEndian(at: 6, as: UInt16.self),
                              body: Array(bytes[(doff * 4)..<Int(size)]))
        return (.frame(frame), Int(size))
    }
}
