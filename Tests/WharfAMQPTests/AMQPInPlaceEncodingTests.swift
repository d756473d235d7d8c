import Testing
import WharfAMQP
import WharfCore

/// Lists and maps are encoded in place and widened after the fact when they outgrow the small
/// form; frames are built in one buffer. Both must give the bytes the spec's forms give.
@Suite struct AMQPInPlaceEncodingTests {
    @Test func smallAndWideCompoundsRoundTripWithTheRightConstructors() throws {
        let small = AMQPValue.list([.uint(1), .string("abc"), .null])
        let longItem = AMQPValue.list([.uint(1), .string(String(repeating: "x", count: 300))])
        let manyItems = AMQPValue.list((0..<300).map { _ in AMQPValue.null })
        let wideMap = AMQPValue.map((0..<100).map { AMQPValue.Pair(.string("key\($0)"), .long(Int64($0) << 40)) })
        let nested = AMQPValue.described(0x73, .list([small, longItem, .map([.init(.symbol("k"), manyItems)])]))
        #expect(AMQPEncoder.encode(small) == [0xc0, 9, 3, 0x52, 1, 0xa1, 3, 0x61, 0x62, 0x63, 0x40])
        #expect(AMQPEncoder.encode(longItem).prefix(9) == [0xd0, 0, 0, 1, 0x37, 0, 0, 0, 2])
        #expect(AMQPEncoder.encode(manyItems).prefix(9) == [0xd0, 0, 0, 1, 0x30, 0, 0, 1, 0x2c])
        #expect(AMQPEncoder.encode(wideMap).first == 0xd1)
        for v in [small, longItem, manyItems, wideMap, nested] {
            #expect(try AMQPDecoder.decode(AMQPEncoder.encode(v)) == v)
        }
    }

    @Test func aFrameBuiltInOneBufferEqualsTheFrameEncoding() {
        let transfer = Transfer(handle: 3, deliveryId: 70_000, deliveryTag: Array(0..<16), messageFormat: 0, settled: false).value
        for payload in [[], [1, 2, 3], [UInt8](repeating: 7, count: 70_000)] as [[UInt8]] {
            #expect(AMQPFrame.encode(channel: 5, performative: transfer, payload: payload)
                == AMQPFrame(channel: 5, performative: transfer, payload: payload).encoded())
        }
        let outcome = SASLFrame.outcome(code: 0).value
        #expect(AMQPFrame.encode(type: AMQPFrame.typeSASL, channel: 0, performative: outcome)
            == AMQPFrame(type: AMQPFrame.typeSASL, channel: 0, performative: outcome).encoded())
    }
}
