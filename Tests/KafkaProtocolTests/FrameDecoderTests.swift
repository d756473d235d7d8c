import Testing
import WharfCore
@testable import KafkaProtocol

@Suite struct FrameDecoderTests {
    static let frames: [[UInt8]] = [
        KafkaFrameDecoder.frame(hex("00 12 00 00 00 00 00 01 ff ff")),
        KafkaFrameDecoder.frame(hex("00 03 00 00 00 00 00 02 00 01 61 00 00 00 00")),
        KafkaFrameDecoder.frame(Array(repeating: 7, count: 300)),
    ]

    /// Drip-fed one byte at a time, then all at once: the same frames come out, in order.
    @Test func dripFeedAndBatch() throws {
        let stream = Self.frames.flatMap { $0 }
        var decoder = KafkaFrameDecoder()
        var got: [[UInt8]] = []
        for byte in stream {
            decoder.append([byte])
            while let frame = try decoder.next() { got.append(frame) }
        }
        #expect(got == Self.frames.map { Array($0.dropFirst(4)) })
        #expect(decoder.bufferedByteCount == 0)

        var batch = KafkaFrameDecoder()
        batch.append(stream + [0, 0])  // and a partial size
        var all: [[UInt8]] = []
        while let frame = try batch.next() { all.append(frame) }
        #expect(all == got)
        #expect(batch.bufferedByteCount == 2)
    }

    @Test func stateless() throws {
        let frame = Self.frames[1]
        for cut in 0..<frame.count {
            let result = try Array(frame.prefix(cut)).withUnsafeBytes { try KafkaFrameDecoder().nextFrame(in: $0) }
            #expect(result == .needMoreData)
        }
        let result = try frame.withUnsafeBytes { try KafkaFrameDecoder().nextFrame(in: $0) }
        #expect(result == .frame(payload: 4..<frame.count))
    }

    @Test(arguments: [
        hex("ff ff ff ff"),  // negative
        hex("00 00 00 00"),  // empty
        hex("00 00 00 07"),  // shorter than a request header
        hex("06 40 00 01"),  // 100 MiB + 1
        hex("7f ff ff ff"),
    ])
    func lyingSizesAreErrorsBeforeAnyPayload(sizePrefix: [UInt8]) {
        var decoder = KafkaFrameDecoder()
        decoder.append(sizePrefix)
        #expect(throws: WharfError.self) { try decoder.next() }
    }

    @Test func maxFrameSizeIsConfigurable() throws {
        var decoder = KafkaFrameDecoder(maxFrameSize: 100)
        decoder.append(KafkaFrameDecoder.frame(Array(repeating: 1, count: 100)))
        #expect(try decoder.next()?.count == 100)
        decoder.append(KafkaFrameDecoder.frame(Array(repeating: 1, count: 101)))
        #expect(throws: WharfError.self) { try decoder.next() }
        #expect(KafkaFrameDecoder.defaultMaxFrameSize == 104_857_600)
    }
}
