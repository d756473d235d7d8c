import KafkaProtocol
import Synchronization

/// What the broker knows of the client on one connection: the listener it came through (its
/// security protocol, and the address Metadata and FindCoordinator must hand back so the client
/// stays on that listener) and who it is.
public struct KafkaConnectionInfo: Sendable, Hashable {
    public var security: SecurityProtocol
    public var advertisedHost: String
    public var advertisedPort: Int32
    /// Kafka's principal: `User:ANONYMOUS` until TLS (the client certificate's subject) or
    /// SASL names the client.
    public var principal: String

    public static let anonymous = "User:ANONYMOUS"

    public init(security: SecurityProtocol, advertisedHost: String, advertisedPort: Int32, principal: String = Self.anonymous) {
        self.security = security
        self.advertisedHost = advertisedHost
        self.advertisedPort = advertisedPort
        self.principal = principal
    }
}

/// The connection's `KafkaConnectionInfo`, shared by its event-loop handler (which learns the
/// principal when the TLS handshake completes) and the worker task that runs its requests.
final class KafkaConnectionState: Sendable {
    private let info: Mutex<KafkaConnectionInfo>

    init(_ info: KafkaConnectionInfo) { self.info = Mutex(info) }

    var current: KafkaConnectionInfo { info.withLock { $0 } }

    func update(_ change: (inout KafkaConnectionInfo) -> Void) { info.withLock { change(&$0) } }
}
