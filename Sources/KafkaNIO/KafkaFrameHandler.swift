import KafkaProtocol
import NIOCore
import WharfCore

/// Splits a connection's byte stream into Kafka frames (`int32 size` + payload) with the
/// sans-I/O `KafkaFrameDecoder`; the broker uses it for requests, the client for responses. A
/// size that lies (negative, too small, over the limit) is an error: NIO closes that connection.
public struct KafkaFrameHandler: ByteToMessageDecoder {
    public typealias InboundOut = [UInt8]
    let frames: KafkaFrameDecoder

    public init(_ frames: KafkaFrameDecoder) {
        self.frames = frames
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let result = try buffer.withUnsafeReadableBytes { raw throws(WharfError) in try frames.nextFrame(in: raw) }
        guard case .frame(let payload) = result else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: payload.lowerBound)
        guard let bytes = buffer.readBytes(length: payload.count) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(bytes))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}
