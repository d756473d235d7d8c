import KafkaProtocol

/// What can go wrong talking to a cluster, each with a one-line message an operator can act on.
public enum KafkaClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No TCP connection: "cannot reach 127.0.0.1:1: connection refused".
    case unreachable(address: String, reason: String)
    /// The TLS handshake failed or TLS broke: "TLS with 10.0.0.1:9093 failed: its certificate is not trusted by ...".
    case tls(address: String, reason: String)
    /// SASL refused: wrong password, mechanism not enabled (with the broker's list), not a SASL listener.
    case authentication(address: String, reason: String)
    /// The connection dropped with requests in flight.
    case connectionClosed(address: String)
    /// No answer within the request timeout.
    case timeout(address: String, api: String, ms: Int)
    /// The broker lacks an API, or only has versions this client cannot speak.
    case unsupported(String)
    /// A broker answered with a Kafka error code.
    case broker(api: String, code: Int16, context: String)
    /// Bytes that did not decode, or an answer that makes no sense.
    case malformed(String)
    /// A precondition checked before sending (a reset on a group with live members...).
    case refused(String)
    /// The topic, partition or group is not in the cluster's metadata.
    case notFound(String)

    public var description: String {
        switch self {
        case .unreachable(let a, let r): "cannot reach \(a): \(r)"
        case .tls(let a, let r): "TLS with \(a) failed: \(r)"
        case .authentication(let a, let r): "SASL authentication to \(a) failed: \(r)"
        case .connectionClosed(let a): "connection to \(a) closed"
        case .timeout(let a, let api, let ms): "\(api) to \(a) timed out after \(ms) ms"
        case .unsupported(let m): m
        case .broker(let api, let code, let context):
            "\(api) failed\(context.isEmpty ? "" : " for \(context)"): \(KafkaErrorCode.name(code))"
        case .malformed(let m): "malformed answer: \(m)"
        case .refused(let m): m
        case .notFound(let m): m
        }
    }

    /// Worth trying again after a back-off (transport trouble, leader or coordinator moves).
    public var isRetriable: Bool {
        switch self {
        case .unreachable, .connectionClosed, .timeout: true
        case .broker(_, let code, _): KafkaErrorCode.isRetriable(code)
        default: false
        }
    }
}

extension ApiKey {
    /// The name Kafka's documentation uses: `deleteRecords` -> "DeleteRecords".
    public var displayName: String {
        let s = String(describing: self)
        return s.prefix(1).uppercased() + s.dropFirst()
    }
}
