import KafkaNIO
import KafkaProtocol
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
import WharfCore

/// `KafkaFrameHandler` against NIO's own contract for a `ByteToMessageDecoder`: the verifier
/// feeds every input whole, byte by byte and in random chunks, and checks the same frames come
/// out each time, nothing is left behind and no frame fires before all its bytes arrived.
@Suite struct KafkaFrameHandlerTests {
    static func sized(_ size: Int32, _ payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(size)
        buffer.writeBytes(payload)
        return buffer
    }

    static func frame(_ payload: [UInt8]) -> ByteBuffer { sized(Int32(payload.count), payload) }

    @Test func framesComeOutWholeHoweverTheStreamIsSplit() throws {
        let payloads: [[UInt8]] = [
            Array(0..<8),                                  // the smallest frame: a bare request header
            [0, 18, 0, 3, 0, 0, 0, 7, 0xFF, 0xFF],         // ApiVersions v3, correlation 7, null client id
            Array(repeating: 0xAB, count: 300),            // split across many of the verifier's chunks
        ]
        var stream = ByteBuffer()
        for payload in payloads {
            var frame = Self.frame(payload)
            stream.writeBuffer(&frame)
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: payloads.map { (Self.frame($0), [$0]) } + [(stream, payloads)],
            decoderFactory: { KafkaFrameHandler(KafkaFrameDecoder()) })
    }

    /// A size that lies is an error as soon as its four bytes are in, whether they arrive in one
    /// read or one byte at a time: NIO then closes that connection.
    @Test(arguments: [Int32(-1), Int32.min, 0, 7, 1025])
    func aLyingSizeIsAnErrorWhateverTheSplit(size: Int32) throws {
        for split in [false, true] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(KafkaFrameHandler(KafkaFrameDecoder(maxFrameSize: 1024))))
            var bytes = Self.sized(size, Array(repeating: 0, count: 8))
            #expect(throws: WharfError.self) {
                if split {
                    while let byte = bytes.readSlice(length: 1) { try channel.writeInbound(byte) }
                } else {
                    try channel.writeInbound(bytes)
                }
            }
            #expect(try channel.readInbound(as: [UInt8].self) == nil)
            _ = try? channel.finish()
        }
    }
}
