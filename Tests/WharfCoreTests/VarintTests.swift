import Testing
@testable import WharfCore

@Suite struct VarintTests {
    @Test(arguments: [Int64(0), -1, 1, 63, -64, 64, -65, 127, 128, 8191, -8192, 8192,
                      Int64(Int32.max), Int64(Int32.min), Int64.max, Int64.min])
    func varlongRoundTrip(n: Int64) throws {
        var out: [UInt8] = []
        Varint.append(n, to: &out)
        #expect(out.count == Varint.size(n))
        let decoded = try out.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            let v = try r.readVarlong()
            #expect(r.remaining == 0)
            return v
        }
        #expect(decoded == n)
    }

    @Test func knownEncodings() {
        func enc(_ n: Int64) -> [UInt8] { var o: [UInt8] = []; Varint.append(n, to: &o); return o }
        #expect(enc(0) == [0x00])
        #expect(enc(-1) == [0x01])
        #expect(enc(1) == [0x02])
        #expect(enc(-64) == [0x7f])
        #expect(enc(64) == [0x80, 0x01])
        #expect(enc(Int64(Int32.max)) == [0xfe, 0xff, 0xff, 0xff, 0x0f])
        #expect(enc(Int64(Int32.min)) == [0xff, 0xff, 0xff, 0xff, 0x0f])
        #expect(enc(Int64.min).count == 10)
    }

    @Test func varintRejectsOverlongAndOutOfRange() {
        // Six continuation bytes: too long for a varint (max 5).
        let overlong: [UInt8] = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
        #expect(throws: WharfError.self) { try overlong.withUnsafeBytes { var r = ByteReader($0); _ = try r.readVarint() } }
        // Five bytes whose value exceeds Int32 after zigzag decoding.
        var big: [UInt8] = []
        Varint.append(Int64(Int32.max) + 1, to: &big)
        #expect(throws: WharfError.self) { try big.withUnsafeBytes { var r = ByteReader($0); _ = try r.readVarint() } }
        // Truncated: a continuation bit with nothing after it.
        #expect(throws: WharfError.self) { try [UInt8(0x80)].withUnsafeBytes { var r = ByteReader($0); _ = try r.readVarlong() } }
    }
}
