import NIOCore
import NIOHTTP2

/// grpc-swift 2.4 traps on a negative `grpc-timeout`: "-1S" passes its length check, parses as
/// -1 and fails a precondition, so one request header from any client would stop the listener
/// (found by `wharf-fuzz run --protocol grpc`). Each stream's frames pass through this handler
/// before grpc-swift's; a `grpc-timeout` that is not digits and a unit (gRPC's
/// `TimeoutValue TimeoutUnit`, at most 8 digits) is removed, and the call runs without a deadline
/// as if the client had sent none.
final class GRPCTimeoutGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .headers(var headers) = unwrapInboundIn(data),
           headers.headers["grpc-timeout"].contains(where: { !Self.isWellFormed($0) }) {
            headers.headers.remove(name: "grpc-timeout")
            context.fireChannelRead(wrapInboundOut(.headers(headers)))
            return
        }
        context.fireChannelRead(data)
    }

    /// 1 to 8 ASCII digits, then one of H, M, S, m, u, n.
    static func isWellFormed(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard (2...9).contains(bytes.count), let unit = bytes.last, Array("HMSmun".utf8).contains(unit) else { return false }
        return bytes.dropLast().allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
