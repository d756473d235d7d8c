import Foundation
import Testing
import WharfCore
import WharfTestSupport
@testable import WharfAMQP

/// Untrusted bytes never trap and never allocate beyond what is present (reference §7.2,
/// RELIABILITY.md): lying sizes and counts, bombs of zero-width elements, deep nesting, and
/// seeded random mutations of every golden vector through every decoding entry point.
@Suite(.heavy) struct AMQPHostileInputTests {
    static func decodes(_ bytes: [UInt8]) -> Bool { (try? AMQPDecoder.decode(bytes)) != nil }

    @Test func countsBeyondTheBytesPresentAreRefused() {
        #expect(!Self.decodes([0xc0, 0x01, 0xff]))                               // list8: 255 elements in 0 bytes
        #expect(!Self.decodes([0xd0, 0x00, 0x00, 0x00, 0x04, 0xff, 0xff, 0xff, 0xff]))  // list32: 4G elements
        #expect(!Self.decodes([0xd1, 0x00, 0x00, 0x00, 0x04, 0x7f, 0xff, 0xff, 0xff]))  // map32
        #expect(!Self.decodes([0xf0, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff, 0xff, 0xff, 0x40]))  // 4G nulls
        #expect(!Self.decodes([0xf0, 0x00, 0x00, 0x00, 0x05, 0x00, 0x10, 0x00, 0x00, 0x98]))  // 1M uuids in 0 bytes
        #expect(!Self.decodes([0xb0, 0x7f, 0xff, 0xff, 0xff, 0x00]))             // vbin32 of 2 GB
        #expect(!Self.decodes([0xa1, 0x05, 0x61]))                               // str8 truncated
        #expect(!Self.decodes([0xc1, 0x02, 0x01, 0x40]))                         // map with an odd count
        #expect(!Self.decodes([0xc0, 0x03, 0x01, 0x40, 0x40]))                   // bytes beyond the count
        #expect(!Self.decodes([0x56, 0x02]))                                     // boolean byte 2
        #expect(!Self.decodes([0xff]))                                           // unknown code
        // A legitimate array of 65 536 nulls is the most a zero-width array may hold.
        #expect(Self.decodes([0xf0, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x40]))
        #expect(!Self.decodes([0xf0, 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 0x00, 0x01, 0x40]))
    }

    @Test func nestingIsBounded() {
        func nested(_ depth: Int) -> [UInt8] {
            var v: [UInt8] = [0x40]
            for _ in 0..<depth { v = [0xd0] + withUnsafeBytes(of: UInt32(v.count + 4).bigEndian, Array.init) + [0, 0, 0, 1] + v }
            return v
        }
        #expect(Self.decodes(nested(AMQPDecoder.maxDepth)))
        #expect(!Self.decodes(nested(AMQPDecoder.maxDepth + 1)))
        #expect(!Self.decodes(nested(10_000)))
        // Described-type chains (00 00 00 ...) are bounded too.
        #expect(!Self.decodes([UInt8](repeating: 0x00, count: 10_000) + [0x40]))
    }

    @Test func framesWithBadSizesAreRefused() throws {
        func parse(_ b: [UInt8], header: Bool = false) throws -> (AMQPInbound, consumed: Int)? {
            try b.withUnsafeBytes { try AMQPFraming.parse($0, expectHeader: header, maxFrameSize: 512) }
        }
        #expect(throws: WharfError.self) { try parse([0, 0, 0, 4, 2, 0, 0, 0]) }            // size < 8
        #expect(throws: WharfError.self) { try parse([0, 0, 2, 1, 2, 0, 0, 0]) }            // beyond max-frame-size
        #expect(throws: WharfError.self) { try parse([0, 0, 0, 8, 1, 0, 0, 0]) }            // doff 1
        #expect(throws: WharfError.self) { try parse([0, 0, 0, 8, 3, 0, 0, 0]) }            // doff past the end
        #expect(throws: WharfError.self) { try parse([0x47, 0x45, 0x54, 0x20], header: true) }  // "GET "
        #expect(try parse([0, 0, 0, 9, 2, 0, 0]) == nil)                                    // needs more
        #expect(try parse([0x41, 0x4d], header: true) == nil)
        #expect(try parse([0, 0, 0, 8, 2, 0, 0, 0])?.0 == .frame(.heartbeat()))
        // An extended header is skipped.
        #expect(try parse([0, 0, 0, 13, 3, 0, 0, 5, 9, 9, 9, 9, 0x40])?.0 == .frame(AMQPFrame(channel: 5, body: [0x40])))
    }

    @Test func dripFedBytesYieldTheSameFrames() throws {
        let stream = GoldenVectors.amqpHeader + GoldenVectors.open + GoldenVectors.begin + GoldenVectors.attachSender
        var buffer: [UInt8] = []
        var items: [AMQPInbound] = []
        for byte in stream {
            buffer.append(byte)
            while let (item, used) = try buffer.withUnsafeBytes({ try AMQPFraming.parse($0, expectHeader: items.isEmpty, maxFrameSize: 1 << 20) }) {
                items.append(item)
                buffer.removeFirst(used)
            }
        }
        #expect(items.count == 4 && buffer.isEmpty)
        #expect(items[0] == .header(.amqp))
    }

    /// Every entry point, on seeded mutations (flips, truncations, insertions, length-byte
    /// rewrites) of every golden vector: errors are fine, traps are not.
    @Test func randomMutationsNeverTrap() {
        var rng = SeededRandom(seed: 0x5EB5)
        let seeds = AMQPGoldenVectorTests.clientFrames + AMQPGoldenVectorTests.payloads + [GoldenVectors.brokerTransferLockToken,
                                                                                           GoldenVectors.brokerAttachReply]
        var decoded = 0
        for round in 0..<20_000 {
            var b = seeds[round % seeds.count]
            for _ in 0...Int(rng.next() % 4) {
                guard !b.isEmpty else { break }
                let i = Int(rng.next() % UInt64(b.count))
                switch rng.next() % 5 {
                case 0: b[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                case 1: b.removeLast(Int(rng.next() % UInt64(b.count)))
                case 2: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
                case 3: b[i] = [0x00, 0xff, 0x7f, 0x80, 0x40][Int(rng.next() % 5)]
                default: b.replaceSubrange(i..<min(b.count, i + 4), with: [0xff, 0xff, 0xff, 0xff])
                }
            }
            if let (item, _) = try? b.withUnsafeBytes({ try AMQPFraming.parse($0, expectHeader: false, maxFrameSize: 1 << 20) }),
               case .frame(let f) = item, let (p, payload) = try? f.split() {
                _ = try? Performative(p)
                _ = try? SASLFrame(p)
                _ = try? DeliveryState(p)
                _ = try? AMQPMessage(payload: payload)
                decoded += 1
            }
            if let sections = try? AMQPDecoder.decodeSequence(b) {
                _ = AMQPEncoder.encode(.list(sections))
                _ = try? AMQPMessage(payload: b)
            }
        }
        #expect(decoded > 100)
    }

    @Test func valuesRoundTrip() throws {
        let values: [AMQPValue] = [
            .null, .bool(true), .ubyte(7), .ushort(65535), .uint(0), .uint(255), .uint(70000), .ulong(0), .ulong(9), .ulong(.max),
            .byte(-1), .short(-300), .int(-5), .int(.min), .long(100), .long(.max), .float(1.5), .double(-2.25),
            .decimal128([UInt8](repeating: 1, count: 16)), .timestamp(-62_135_596_800_000), .uuid(UUID()),
            .binary([UInt8](repeating: 3, count: 300)), .string("é" + String(repeating: "x", count: 300)), .symbol("x-opt-a"),
            .list([.int(1), .string("a")]), .list([]), .map([.init(.symbol("k"), .list([.long(1)]))]),
            .array([.long(1), .long(2)]), .array([.uuid(UUID()), .uuid(UUID())]), .array([.symbol("a"), .symbol("b")]),
            .array([.timestamp(1), .timestamp(2)]), .array([.described(.ulong(0x28), .list([.string("x")]))]),
            .described(.ulong(0x0000_0137_0000_0004), .map([])), .list(Array(repeating: .string("0123456789"), count: 40)),
        ]
        for v in values { #expect(try AMQPDecoder.decode(AMQPEncoder.encode(v)) == v) }
    }
}
