import Foundation
import GRPCCore
import Logging
import Synchronization
import WharfAuth
import WharfCore

/// Establishes who makes each call on the EventStoreDB listener and runs the call with that
/// `ESDBAccess`.
///
/// - Over TLS the clients send `authorization: Basic base64(user:password)` (kurrentdbclient
///   requires credentials with `tls=true`). They are checked against the data directory's users,
///   as SASL PLAIN checks them on the Kafka listener; wrong or malformed credentials end the call
///   with UNAUTHENTICATED (the clients' `UnauthenticatedError`). Without the header the caller
///   is anonymous and reaches only Gossip and ServerFeatures. The clients send the header with
///   every call, so a verified login is remembered briefly (`BasicLoginCache`: forgotten when
///   the user file changes) rather than run through PBKDF2 on each call.
/// - Over h2c (EventStoreDB's insecure mode) nothing is authenticated and every call runs as an
///   administrator, as in EventStoreDB; with `--authorize` it runs anonymous instead, so stream
///   ACLs are never bypassed by a plaintext listener. An `authorization` header there (the .NET
///   client sends one when the URI has credentials) is never used; the log says once that a
///   password crossed the network in clear text.
final class ESDBAuthentication: ServerInterceptor {
    static let unauthenticated = RPCError(code: .unauthenticated, message: "Invalid username or password")
    let secure: Bool
    /// The data directory's users, behind the login cache; nil: nobody can log in.
    let logins: BasicLoginCache?
    let authorizer: ESDBAuthorizer?
    let logger: Logger
    /// Failed logins and refusals, rate-limited so a client guessing passwords cannot flood the log.
    let securityLog: SecurityEventLog
    private let warnedAboutPlaintextCredentials = Atomic<Bool>(false)

    init(secure: Bool, logins: BasicLoginCache?, authorizer: ESDBAuthorizer?, logger: Logger, clock: any WallClock = SystemClock()) {
        self.secure = secure
        self.logins = logins
        self.authorizer = authorizer
        self.logger = logger
        securityLog = SecurityEventLog(logger: logger, clock: clock)
    }

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>, context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let access = ESDBAccess(caller: try caller(request.metadata, peer: context.remotePeer), authorizer: authorizer,
                                log: securityLog, peer: context.remotePeer)
        var response = try await ESDBAccess.$current.withValue(access) { try await next(request, context) }
        // A streaming response's body runs after `next` returns: it needs the same access.
        if case .success(var contents) = response.accepted {
            let producer = contents.producer
            contents.producer = { writer in try await ESDBAccess.$current.withValue(access) { try await producer(writer) } }
            response.accepted = .success(contents)
        }
        return response
    }

    private func caller(_ metadata: Metadata, peer: String) throws(RPCError) -> ESDBCaller {
        var headers = metadata[stringValues: "authorization"].makeIterator()
        let header = headers.next()
        guard secure else {
            if header != nil, !warnedAboutPlaintextCredentials.exchange(true, ordering: .relaxed) {
                logger.warning("a gRPC client sent credentials over plaintext (h2c); they are ignored: use TLS (--tls-cert/--tls-key)",
                               metadata: ["peer": "\(peer)"])
            }
            return authorizer == nil ? .insecure : .anonymous
        }
        guard let header else { return .anonymous }
        guard let (user, password) = Self.basicCredentials(header), let logins else {
            securityLog.basicAuthenticationFailed(principal: "?", peer: peer, reason: "not Basic credentials, or no user store")
            throw Self.unauthenticated
        }
        let verified: Bool
        do {
            verified = try logins.verify(user: user, password: password)
        } catch {
            logger.error("cannot read the user store; refusing the authentication", metadata: ["error": "\(error)"])
            throw Self.unauthenticated
        }
        guard verified else {
            securityLog.basicAuthenticationFailed(principal: SaslMechanism.principal(of: user), peer: peer, reason: "Invalid username or password")
            throw Self.unauthenticated
        }
        return .user(user)
    }

    /// `Basic base64(user ":" password)` (RFC 7617); nil for any other scheme or shape.
    static func basicCredentials(_ header: String) -> (user: String, password: [UInt8])? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        // HTTP/2 header lists are bounded by the transport; this bounds the decoding too.
        guard parts.count == 2, parts[0].lowercased() == "basic", parts[1].utf8.count <= 4096,
              let decoded = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)) else { return nil }
        let bytes = Array(decoded)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
              let user = String(validating: bytes[..<colon], as: UTF8.self), !user.isEmpty else { return nil }
        return (user, Array(bytes[(colon + 1)...]))
    }
}
