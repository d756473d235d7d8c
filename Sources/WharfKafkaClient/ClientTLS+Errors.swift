import NIOCore
import NIOSSL
import NIOTLS

extension ClientTLS {
    /// What a TLS failure on the connection to `address` means, in one line an operator can act
    /// on; nil when `error` is not a TLS failure.
    func explain(_ error: any Error, address: String) -> KafkaClientError? {
        let text: String
        switch error {
        case let e as NIOSSLExtraError where e == .failedToValidateHostname:
            return .tls(address: address, reason: "its certificate is not issued for the host or address dialled (hostname mismatch; "
                        + "ssl.endpoint.identification.algorithm= turns the check off)")
        case let e as NIOSSLError:
            if case .handshakeFailed(let boring) = e { text = "\(boring)" } else { text = "\(e)" }
        case let e as BoringSSLError:
            text = "\(e)"
        default:
            return nil
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return .tls(address: address, reason: "its certificate is not trusted by \(trustSource) (certificate verify failed)")
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") || text.contains("HTTP_REQUEST") {
            return .tls(address: address, reason: "it does not answer in TLS (a PLAINTEXT or SASL_PLAINTEXT listener? check security.protocol)")
        }
        if text.contains("CERTIFICATE_REQUIRED") || text.contains("HANDSHAKE_FAILURE") || text.contains("BAD_CERTIFICATE")
            || text.contains("UNKNOWN_CA") {
            let shown = settings.certificatePath.map { "the certificate \($0)" } ?? "no client certificate"
            return .tls(address: address, reason: "the broker refused the handshake with \(shown) (it requires mutual TLS with a certificate it trusts)")
        }
        return .tls(address: address, reason: text)
    }
}

/// Waits for the TLS handshake of a new connection, so that a refused handshake is the error of
/// `connect` (with its reason) rather than a closed connection on the first request.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<Void>
    private var settled = false

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls { settle(nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        settle(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        settle(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    private func settle(_ error: (any Error)?) {
        guard !settled else { return }
        settled = true
        if let error { promise.fail(error) } else { promise.succeed() }
    }
}
