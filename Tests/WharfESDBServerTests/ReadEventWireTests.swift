import Foundation
import SwiftProtobuf
import Testing
import WharfESDBProtocol
@testable import WharfESDBServer
import WharfEvents
import WharfTestSupport

/// `ReadEventWire` writes Read's event messages by hand: its bytes must be exactly SwiftProtobuf's
/// for the same message (map keys in SwiftProtobuf's deterministic order), and decode back to it.
@Suite struct ReadEventWireTests {
    static let deterministic: BinaryEncodingOptions = {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return options
    }()

    /// `SeededRandom` (SplitMix64): the same events on every run (the seed is in a failure's
    /// message), with the shapes these tests draw.
    struct Random {
        var base: SeededRandom
        init(state: UInt64) { base = SeededRandom(seed: state) }
        mutating func next() -> UInt64 { base.next() }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        /// 0, small, around varint length steps, or anything: each with its own chance.
        mutating func number() -> UInt64 {
            switch below(5) {
            case 0: 0
            case 1: UInt64(below(200))
            case 2: (1 << UInt64(7 * (1 + below(9)))) &- UInt64(below(3))
            case 3: .max &- UInt64(below(3))
            default: next()
            }
        }
        mutating func bytes() -> [UInt8] {
            let count = [0, 1, 127, 128, 300, 20_000][below(6)]
            return (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
        }
        mutating func text() -> String {
            let pieces = ["", "a", "order-42", "$streamDeleted", "$>", "é", "日本", "🙂", String(repeating: "x", count: 200)]
            return (0..<below(4)).map { _ in pieces[below(pieces.count)] }.joined()
        }
        mutating func event() -> RecordedEvent {
            let uuid = (0..<16).map { _ in UInt8(truncatingIfNeeded: next()) }
            let id = UUID(uuid: (uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
                                 uuid[8], uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]))
            let types = ["", "OrderPlaced", ESDBStreams.tombstoneType, StreamName.linkEventType, text()]
            let contentTypes: [String?] = [nil, "", "application/json", "application/octet-stream", text()]
            var data = bytes()
            if below(4) == 0 { data = Array(" \n{\"a\":1}".utf8) }
            return RecordedEvent(stream: text(), revision: number(), position: number(), id: id, type: types[below(types.count)],
                                 data: data, metadata: bytes(), timestamp: Int64(bitPattern: number()),
                                 contentType: contentTypes[below(contentTypes.count)])
        }
    }

    @Test func bytesAreSwiftProtobufsForRandomEvents() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = Random(state: seed)
        for i in 0..<1_000 {
            let link: RecordedEvent? = random.below(3) == 0 ? random.event() : nil
            let wire = ReadEventWire(random.event(), link: link, structured: random.below(2) == 0)
            var bytes = [UInt8](repeating: 0, count: wire.size)
            bytes.withUnsafeMutableBytes { wire.write(into: $0) }
            let expected: [UInt8] = try wire.message.serializedBytes(options: Self.deterministic)
            #expect(bytes == expected, "event \(i), seed \(seed)")
            guard bytes == expected else { return }
            #expect(try EventStore_Client_Streams_ReadResp(serializedBytes: bytes) == wire.message)
        }
    }

    /// Through the serializer the route uses: events as written by hand, other messages as SwiftProtobuf's.
    @Test func serializerWritesBothKinds() throws {
        var random = Random(state: 7)
        let wire = ReadEventWire(random.event(), link: nil, structured: false)
        let event: [UInt8] = try ReadMessageSerializer().serialize(.event(wire))
        #expect(try EventStore_Client_Streams_ReadResp(serializedBytes: event) == wire.message)
        var caughtUp = EventStore_Client_Streams_ReadResp()
        caughtUp.caughtUp = .init()
        let other: [UInt8] = try ReadMessageSerializer().serialize(.message(caughtUp))
        #expect(other == (try caughtUp.serializedBytes() as [UInt8]))
    }

    @Test func sizesMatchTheirRules() {
        for v: UInt64 in [0, 1, 127, 128, 16_383, 16_384, .max] {
            var out = [UInt8](repeating: 0, count: 10)
            let written = out.withUnsafeMutableBufferPointer { p in
                var w = ProtoWriter(p.baseAddress!)
                w.varint(v)
                return w.at - p.baseAddress!
            }
            #expect(written == ProtoSize.varint(v))
        }
        for v: Int64 in [0, 9, 10, -1, -10, .max, .min] {
            #expect(ProtoSize.decimalDigits(v) == String(v).utf8.count)
        }
    }
}
