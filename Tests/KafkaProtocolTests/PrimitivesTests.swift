import Testing
import WharfCore
@testable import KafkaProtocol

/// The protocol's primitive types, byte for byte (`Protocol.md` "Protocol Primitive Types").
@Suite struct PrimitivesTests {
    func read<T>(_ bytes: [UInt8], _ body: (inout ByteReader) throws(WharfError) -> T) throws(WharfError) -> T {
        try bytes.withByteReader { (reader: inout ByteReader) throws(WharfError) -> T in
            let value = try body(&reader)
            guard reader.remaining == 0 else { throw .malformed("\(reader.remaining) bytes left") }
            return value
        }
    }

    @Test func strings() throws {
        var out: [UInt8] = []
        out.writeString("ab", compact: false)
        out.writeString("ab", compact: true)
        out.writeNullableString(nil, compact: false)
        out.writeNullableString(nil, compact: true)
        out.writeNullableString(nil, compact: true, nullable: false)
        #expect(out == hex("00 02 61 62  03 61 62  ff ff  00  01"))
        #expect(try read(hex("00 02 61 62")) { (r: inout ByteReader) throws(WharfError) in try r.readString(compact: false) } == "ab")
        #expect(try read(hex("ff ff")) { (r: inout ByteReader) throws(WharfError) in try r.readNullableString(compact: false) } == nil)
        #expect(try read(hex("00")) { (r: inout ByteReader) throws(WharfError) in try r.readNullableString(compact: true) } == nil)
        #expect(throws: WharfError.self) { try read(hex("ff ff")) { (r: inout ByteReader) throws(WharfError) in try r.readString(compact: false) } }
        #expect(throws: WharfError.self) { try read(hex("ff fe")) { (r: inout ByteReader) throws(WharfError) in try r.readNullableString(compact: false) } }
        #expect(throws: WharfError.self) { try read(hex("00 05 61")) { (r: inout ByteReader) throws(WharfError) in try r.readString(compact: false) } }
    }

    /// Compact lengths are unsigned varints of length+1: 127 bytes -> 0x80 0x01.
    @Test func compactLengthsAreUnsignedVarints() throws {
        let s = String(repeating: "z", count: 127)
        var out: [UInt8] = []
        out.writeString(s, compact: true)
        #expect(Array(out.prefix(2)) == [0x80, 0x01])
        #expect(try read(out) { (r: inout ByteReader) throws(WharfError) in try r.readString(compact: true) } == s)
        // Six continuation bytes is longer than any 32-bit uvarint.
        #expect(throws: WharfError.self) { try read(hex("ff ff ff ff ff 01")) { (r: inout ByteReader) throws(WharfError) in try r.readArrayCount(compact: true) } }
        // A count larger than the bytes left fails before allocating.
        #expect(throws: WharfError.self) { try read(hex("7f ff ff ff")) { (r: inout ByteReader) throws(WharfError) in try r.readInt32Array(compact: false) } }
    }

    @Test func bytesArraysAndNulls() throws {
        var out: [UInt8] = []
        out.writeBytes([9], compact: false)
        out.writeNullableBytes(nil, compact: false)
        out.writeNullableBytes(nil, compact: true)
        out.writeInt32Array([1], compact: true)
        out.writeNullableStringArray(nil, compact: false, nullable: true)
        out.writeNullableStringArray(nil, compact: false, nullable: false)
        #expect(out == hex("00 00 00 01 09  ff ff ff ff  00  02 00 00 00 01  ff ff ff ff  00 00 00 00"))
        #expect(throws: WharfError.self) { try read(hex("ff ff ff ff")) { (r: inout ByteReader) throws(WharfError) in try r.readInt32Array(compact: false) } }
        #expect(try read(hex("ff ff ff ff")) { (r: inout ByteReader) throws(WharfError) in try r.readNullableStringArray(compact: false, nullable: true) } == nil)
        #expect(throws: WharfError.self) { try read(hex("ff ff ff fe")) { (r: inout ByteReader) throws(WharfError) in try r.readNullableBytes(compact: false) } }
    }

    @Test func fixedWidth() throws {
        var out: [UInt8] = []
        out.writeBool(true)
        out.writeInt8(-2)
        out.writeUInt16(0xBEEF)
        out.writeFloat64(1.5)
        out.writeUUID(KafkaUUID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10))
        #expect(out == hex("01 fe be ef 3f f8 00 00 00 00 00 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10"))
        let values = try read(out) { (r: inout ByteReader) throws(WharfError) in
            (try r.readBool(), try r.readInt8(), try r.readUInt16(), try r.readFloat64(), try r.readUUID())
        }
        #expect(values.0 && values.1 == -2 && values.2 == 0xBEEF && values.3 == 1.5)
        #expect(values.4.description == "0102030405060708090a0b0c0d0e0f10")
    }

    /// Tagged sections: count, then tag, size, value; unknown tags are skipped whole.
    @Test func taggedSections() throws {
        var out: [UInt8] = []
        out.writeUnsignedVarint(2)
        out.writeTaggedField(tag: 0, value: [1, 2])
        out.writeTaggedField(tag: 200, value: [])
        #expect(out == hex("02 00 02 01 02 c8 01 00"))
        try read(out) { (r: inout ByteReader) throws(WharfError) in try r.skipTaggedFields() }
        #expect(throws: WharfError.self) { try read(hex("01 00 05 01")) { (r: inout ByteReader) throws(WharfError) in try r.skipTaggedFields() } }
        #expect(throws: WharfError.self) { try read(hex("7f 00")) { (r: inout ByteReader) throws(WharfError) in try r.skipTaggedFields() } }
    }
}
