import Foundation
import WharfCore
import WharfESDBProtocol
import WharfEvents

/// A ReadResp carrying one event (and its link), written as protobuf bytes straight from the
/// stored event: catch-up subscriptions and reads send one per event, and building the
/// SwiftProtobuf message (nested messages, a metadata dictionary, `Data` copies, a String for
/// `created`) then sizing and encoding it was a third of the server's time per event. The sizes
/// are computed once here; `write` fills exactly `size` bytes. The bytes are those SwiftProtobuf
/// writes for `message` with deterministic map ordering (the metadata keys in sorted order), which
/// `ReadEventWireTests` checks on random events.
struct ReadEventWire: Sendable {
    let event: RecordedFields
    let link: RecordedFields?
    /// ReadEvent.commit_position: the link's position when there is a link.
    let commitPosition: UInt64
    /// The ReadEvent message's length, and the whole ReadResp's.
    let readEventSize: Int
    let size: Int

    init(_ e: RecordedEvent, link: RecordedEvent?, structured: Bool) {
        event = RecordedFields(e, structured: structured)
        self.link = link.map { RecordedFields($0, structured: structured) }
        commitPosition = ESDBWire.commitPosition(link?.position ?? e.position)
        var n = ProtoSize.field(event.size)
        if let l = self.link { n += ProtoSize.field(l.size) }
        n += 1 + ProtoSize.varint(commitPosition)  // a oneof member: written even when 0
        readEventSize = n
        size = ProtoSize.field(n)
    }

    /// Writes the ReadResp's `size` bytes at the start of `buffer`, which must hold them.
    func write(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= size, "a ReadResp buffer smaller than its message")
        var w = ProtoWriter(buffer.baseAddress!.assumingMemoryBound(to: UInt8.self))
        w.header(field: 1, length: readEventSize)  // ReadResp.event
        w.header(field: 1, length: event.size)  // ReadEvent.event
        event.write(&w)
        if let link {
            w.header(field: 2, length: link.size)  // ReadEvent.link
            link.write(&w)
        }
        w.byte(3 << 3)  // ReadEvent.commit_position, varint
        w.varint(commitPosition)
        assert(w.at == buffer.baseAddress!.assumingMemoryBound(to: UInt8.self) + size)
    }

    /// The same ReadResp as a SwiftProtobuf message (what the bytes must equal).
    var message: EventStore_Client_Streams_ReadResp {
        var read = EventStore_Client_Streams_ReadResp.ReadEvent()
        read.event = ReadOutput.recorded(event.e, structured: event.structured)
        if let link { read.link = ReadOutput.recorded(link.e, structured: link.structured) }
        read.commitPosition = commitPosition
        var message = EventStore_Client_Streams_ReadResp()
        message.event = read
        return message
    }
}

/// ReadEvent.RecordedEvent's fields of one stored event and the sizes of its nested messages.
/// The rules for the fields live here (a tombstone's revision, the content type guess, `created`
/// in ticks); `ReadOutput.recorded`, the SwiftProtobuf form, takes them from here.
struct RecordedFields: Sendable {
    let e: RecordedEvent
    let structured: Bool
    let revision: UInt64
    let commitPosition: UInt64
    let contentType: String
    let created: Int64
    let createdDigits: Int
    /// The UUID message's length, and its `Structured` member's when structured.
    let uuidSize: Int
    let structuredSize: Int
    let streamIdSize: Int
    /// The RecordedEvent message's length.
    let size: Int

    private static let contentTypeKey: StaticString = "content-type"
    private static let createdKey: StaticString = "created"
    private static let typeKey: StaticString = "type"

    init(_ e: RecordedEvent, structured: Bool) {
        self.e = e
        self.structured = structured
        revision = e.type == ESDBStreams.tombstoneType ? ESDBStreams.deletedRevision : e.revision
        commitPosition = ESDBWire.commitPosition(e.position)
        contentType = e.contentType ?? ReadOutput.guessContentType(e.data)
        created = ESDBWire.ticks(millis: e.timestamp)
        createdDigits = ProtoSize.decimalDigits(created)
        if structured {
            let (most, least) = ESDBWire.halves(e.id)
            structuredSize = ProtoSize.optionalVarint(UInt64(bitPattern: most)) + ProtoSize.optionalVarint(UInt64(bitPattern: least))
            uuidSize = ProtoSize.field(structuredSize)
        } else {
            structuredSize = 0
            uuidSize = ProtoSize.field(36)
        }
        let nameLength = e.stream.utf8.count
        streamIdSize = nameLength == 0 ? 0 : ProtoSize.field(nameLength)
        var n = ProtoSize.field(uuidSize) + ProtoSize.field(streamIdSize)
        n += ProtoSize.optionalVarint(revision) + 2 * ProtoSize.optionalVarint(commitPosition)
        n += ProtoSize.field(Self.entrySize(Self.contentTypeKey.utf8CodeUnitCount, contentType.utf8.count))
        n += ProtoSize.field(Self.entrySize(Self.createdKey.utf8CodeUnitCount, createdDigits))
        n += ProtoSize.field(Self.entrySize(Self.typeKey.utf8CodeUnitCount, e.type.utf8.count))
        if !e.metadata.isEmpty { n += ProtoSize.field(e.metadata.count) }
        if !e.data.isEmpty { n += ProtoSize.field(e.data.count) }
        size = n
    }

    /// A map entry: key (field 1) and value (field 2), both always present.
    private static func entrySize(_ key: Int, _ value: Int) -> Int { ProtoSize.field(key) + ProtoSize.field(value) }

    func write(_ w: inout ProtoWriter) {
        w.header(field: 1, length: uuidSize)  // id
        if structured {
            let (most, least) = ESDBWire.halves(e.id)
            w.header(field: 1, length: structuredSize)  // UUID.structured
            w.optionalVarint(field: 1, UInt64(bitPattern: most))
            w.optionalVarint(field: 2, UInt64(bitPattern: least))
        } else {
            w.header(field: 2, length: 36)  // UUID.string
            UUIDText.writeLowercase(e.id, to: w.at)
            w.at += 36
        }
        w.header(field: 2, length: streamIdSize)  // stream_identifier
        if streamIdSize > 0 { w.string(field: 3, e.stream) }  // StreamIdentifier.stream_name
        w.optionalVarint(field: 3, revision)
        w.optionalVarint(field: 4, commitPosition)  // prepare_position
        w.optionalVarint(field: 5, commitPosition)
        // metadata (field 6), keys in sorted order
        w.header(field: 6, length: Self.entrySize(Self.contentTypeKey.utf8CodeUnitCount, contentType.utf8.count))
        w.staticString(field: 1, Self.contentTypeKey)
        w.string(field: 2, contentType)
        w.header(field: 6, length: Self.entrySize(Self.createdKey.utf8CodeUnitCount, createdDigits))
        w.staticString(field: 1, Self.createdKey)
        w.header(field: 2, length: createdDigits)
        w.decimal(created, digits: createdDigits)
        w.header(field: 6, length: Self.entrySize(Self.typeKey.utf8CodeUnitCount, e.type.utf8.count))
        w.staticString(field: 1, Self.typeKey)
        w.string(field: 2, e.type)
        if !e.metadata.isEmpty { w.bytes(field: 7, e.metadata) }  // custom_metadata
        if !e.data.isEmpty { w.bytes(field: 8, e.data) }
    }
}

/// Protobuf wire sizes (tags of fields 1-15 are one byte).
enum ProtoSize {
    static func varint(_ v: UInt64) -> Int { (63 - (v | 1).leadingZeroBitCount) / 7 + 1 }

    /// A length-delimited field of `length` bytes: tag, length, bytes.
    static func field(_ length: Int) -> Int { 1 + varint(UInt64(length)) + length }

    /// A proto3 scalar field, left out when 0.
    static func optionalVarint(_ v: UInt64) -> Int { v == 0 ? 0 : 1 + varint(v) }

    /// `String(v).utf8.count`.
    static func decimalDigits(_ v: Int64) -> Int {
        var m = v.magnitude, n = 1
        while m >= 10 {
            m /= 10
            n += 1
        }
        return v < 0 ? n + 1 : n
    }
}

/// Writes protobuf bytes at a pointer into a buffer sized beforehand (`ProtoSize`).
struct ProtoWriter {
    var at: UnsafeMutablePointer<UInt8>

    init(_ at: UnsafeMutablePointer<UInt8>) { self.at = at }

    mutating func byte(_ b: UInt8) {
        at.pointee = b
        at += 1
    }

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(v))
    }

    /// A length-delimited field's tag and length (fields 1-15).
    mutating func header(field: UInt8, length: Int) {
        byte(field << 3 | 2)
        varint(UInt64(length))
    }

    mutating func optionalVarint(field: UInt8, _ v: UInt64) {
        guard v != 0 else { return }
        byte(field << 3)
        varint(v)
    }

    mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        UnsafeMutableRawPointer(at).copyMemory(from: base, byteCount: bytes.count)
        at += bytes.count
    }

    mutating func bytes(field: UInt8, _ bytes: [UInt8]) {
        header(field: field, length: bytes.count)
        bytes.withUnsafeBytes { raw($0) }
    }

    mutating func string(field: UInt8, _ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            header(field: field, length: utf8.count)
            raw(UnsafeRawBufferPointer(utf8))
        }
    }

    mutating func staticString(field: UInt8, _ text: StaticString) {
        header(field: field, length: text.utf8CodeUnitCount)
        raw(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `v` in decimal, `digits` bytes (`ProtoSize.decimalDigits(v)`), as `String(v)` spells it.
    mutating func decimal(_ v: Int64, digits: Int) {
        var m = v.magnitude
        if v < 0 { at.pointee = UInt8(ascii: "-") }
        var i = digits - 1
        repeat {
            at[i] = UInt8(ascii: "0") + UInt8(m % 10)
            m /= 10
            i -= 1
        } while m > 0
        at += digits
    }
}
