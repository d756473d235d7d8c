import Foundation
import GRPCCore
import WharfCore

/// What `wharf bench esdb`'s client makes of each ReadResp: the decode a compiled client does
/// to hand an application its events, written by hand as the server's encoder is
/// (`ReadEventWire`), rather than SwiftProtobuf's generic one (a metadata dictionary, nested
/// message storage, `Data` for every bytes field). Every field of every event is read and kept:
/// the id parsed to a UUID, stream name, type and content type as Strings, revision and
/// positions, `created` parsed from its decimal text, custom metadata and data copied into the
/// event's own arrays; a link is decoded the same way. Other messages are told apart by their
/// field only (the bench needs no more of them). Malformed input throws, never traps.
struct BenchReadMessage: Sendable {
    enum Kind: Sendable { case event, confirmation, checkpoint, streamNotFound, caughtUp, other }
    var kind: Kind
    var event: BenchEvent?
    var link: BenchEvent?
    var commitPosition: UInt64?
}

struct BenchEvent: Sendable {
    var id: UUID?
    var stream = ""
    var revision: UInt64 = 0
    var preparePosition: UInt64 = 0
    var commitPosition: UInt64 = 0
    var type = ""
    var contentType = ""
    var created: Int64 = 0
    var customMetadata: [UInt8] = []
    var data: [UInt8] = []
}

struct BenchReadDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> BenchReadMessage {
        try bytes.withUnsafeBytes { raw in
            var reader = ProtoReader(raw)
            return try reader.readResp()
        }
    }
}

struct ProtoDecodeError: Error, CustomStringConvertible {
    let description: String
}

/// Reads protobuf fields from a buffer, bounds-checked.
struct ProtoReader {
    let bytes: UnsafeRawBufferPointer
    var at: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        at = start
        self.end = end ?? bytes.count
    }

    var atEnd: Bool { at >= end }

    mutating func varint() throws(ProtoDecodeError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while at < end, shift < 64 {
            let b = bytes[at]
            at += 1
            value |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return value }
            shift += 7
        }
        throw ProtoDecodeError(description: "a truncated or overlong varint")
    }

    /// The next field's number and wire type.
    mutating func tag() throws(ProtoDecodeError) -> (field: UInt64, wire: UInt64) {
        let t = try varint()
        return (t >> 3, t & 7)
    }

    /// A length-delimited field's extent.
    mutating func lengthDelimited() throws(ProtoDecodeError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - at) else { throw ProtoDecodeError(description: "a field longer than its message") }
        let range = at..<(at + Int(length))
        at = range.upperBound
        return range
    }

    mutating func skip(wire: UInt64) throws(ProtoDecodeError) {
        switch wire {
        case 0: _ = try varint()
        case 1: try advance(8)
        case 2: _ = try lengthDelimited()
        case 5: try advance(4)
        default: throw ProtoDecodeError(description: "wire type \(wire)")
        }
    }

    private mutating func advance(_ n: Int) throws(ProtoDecodeError) {
        guard end - at >= n else { throw ProtoDecodeError(description: "a truncated field") }
        at += n
    }

    func sub(_ range: Range<Int>) -> ProtoReader { ProtoReader(bytes, from: range.lowerBound, to: range.upperBound) }

    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    func array(_ range: Range<Int>) -> [UInt8] { Array(bytes[range]) }

    mutating func readResp() throws(ProtoDecodeError) -> BenchReadMessage {
        var message = BenchReadMessage(kind: .other)
        while !atEnd {
            let (field, wire) = try tag()
            switch (field, wire) {
            case (1, 2):
                var event = sub(try lengthDelimited())
                try event.readEvent(into: &message)
            case (2, 2): message.kind = .confirmation; _ = try lengthDelimited()
            case (3, 2): message.kind = .checkpoint; _ = try lengthDelimited()
            case (4, 2): message.kind = .streamNotFound; _ = try lengthDelimited()
            case (8, 2): message.kind = .caughtUp; _ = try lengthDelimited()
            default: try skip(wire: wire)
            }
        }
        return message
    }

    /// ReadEvent: event (1), link (2), commit_position (3) or no_position (4).
    private mutating func readEvent(into message: inout BenchReadMessage) throws(ProtoDecodeError) {
        message.kind = .event
        while !atEnd {
            let (field, wire) = try tag()
            switch (field, wire) {
            case (1, 2):
                var event = sub(try lengthDelimited())
                message.event = try event.recordedEvent()
            case (2, 2):
                var link = sub(try lengthDelimited())
                message.link = try link.recordedEvent()
            case (3, 0): message.commitPosition = try varint()
            default: try skip(wire: wire)
            }
        }
    }

    /// RecordedEvent: id (1), stream_identifier (2), stream_revision (3), prepare_position (4),
    /// commit_position (5), metadata (6, a map entry each), custom_metadata (7), data (8).
    private mutating func recordedEvent() throws(ProtoDecodeError) -> BenchEvent {
        var e = BenchEvent()
        while !atEnd {
            let (field, wire) = try tag()
            switch (field, wire) {
            case (1, 2):
                var id = sub(try lengthDelimited())
                e.id = try id.uuid()
            case (2, 2):
                var identifier = try sub(lengthDelimited())
                while !identifier.atEnd {
                    let (f, w) = try identifier.tag()
                    if f == 3, w == 2 { e.stream = try identifier.string(identifier.lengthDelimited()) } else { try identifier.skip(wire: w) }
                }
            case (3, 0): e.revision = try varint()
            case (4, 0): e.preparePosition = try varint()
            case (5, 0): e.commitPosition = try varint()
            case (6, 2):
                var entry = sub(try lengthDelimited())
                try entry.metadataEntry(into: &e)
            case (7, 2): e.customMetadata = try array(lengthDelimited())
            case (8, 2): e.data = try array(lengthDelimited())
            default: try skip(wire: wire)
            }
        }
        return e
    }

    /// A metadata map entry: key (1), value (2); `type`, `content-type` and `created` are kept.
    private mutating func metadataEntry(into e: inout BenchEvent) throws(ProtoDecodeError) {
        var key: Range<Int>?, value: Range<Int>?
        while !atEnd {
            let (field, wire) = try tag()
            switch (field, wire) {
            case (1, 2): key = try lengthDelimited()
            case (2, 2): value = try lengthDelimited()
            default: try skip(wire: wire)
            }
        }
        guard let key, let value else { return }
        if equals(key, "type") {
            e.type = string(value)
        } else if equals(key, "content-type") {
            e.contentType = string(value)
        } else if equals(key, "created") {
            e.created = Int64(string(value)) ?? 0
        }
    }

    private func equals(_ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount, let base = bytes.baseAddress else { return false }
        return memcmp(base + range.lowerBound, text.utf8Start, range.count) == 0
    }

    /// UUID: structured (1: two int64 halves) or string (2).
    private mutating func uuid() throws(ProtoDecodeError) -> UUID? {
        var id: UUID?
        while !atEnd {
            let (field, wire) = try tag()
            switch (field, wire) {
            case (2, 2):
                let text = try lengthDelimited()
                id = UUIDText.parse(UnsafeRawBufferPointer(rebasing: bytes[text]).assumingMemoryBound(to: UInt8.self))
            case (1, 2):
                var halves = try sub(lengthDelimited())
                var most: UInt64 = 0, least: UInt64 = 0
                while !halves.atEnd {
                    let (f, w) = try halves.tag()
                    switch (f, w) {
                    case (1, 0): most = try halves.varint()
                    case (2, 0): least = try halves.varint()
                    default: try halves.skip(wire: w)
                    }
                }
                var b = [UInt8](repeating: 0, count: 16)
                for i in 0..<8 {
                    b[i] = UInt8(truncatingIfNeeded: most >> (56 - 8 * UInt64(i)))
                    b[8 + i] = UInt8(truncatingIfNeeded: least >> (56 - 8 * UInt64(i)))
                }
                id = UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
            default: try skip(wire: wire)
            }
        }
        return id
    }
}
