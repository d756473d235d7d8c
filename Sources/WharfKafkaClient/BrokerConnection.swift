import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore
import NIOPosix
import Synchronization
import WharfCore

/// One TCP connection to one broker, with the API versions negotiated on it. Requests from any
/// task are pipelined; responses are routed back by correlation id.
public final class BrokerConnection: Sendable {
    public let host: String
    public let port: Int
    public let versions: ApiVersionTable
    let channel: Channel
    let clientId: String
    private let nextCorrelationId = Mutex<Int32>(1)
    /// When this connection stops taking new requests: 85% into the SASL session lifetime the
    /// broker announced (KIP-368), as Kafka's own client re-authenticates between 85 and 95%.
    let sessionRenewal = Mutex<ContinuousClock.Instant?>(nil)

    public var address: String { "\(host):\(port)" }
    /// Open and, on a SASL connection with a session lifetime, not yet due for a new session.
    public var isActive: Bool {
        channel.isActive && sessionRenewal.withLock { $0.map { ContinuousClock.now < $0 } ?? true }
    }

    private init(host: String, port: Int, channel: Channel, clientId: String, versions: ApiVersionTable) {
        self.host = host
        self.port = port
        self.channel = channel
        self.clientId = clientId
        self.versions = versions
    }

    /// Connects (inside TLS when `security` says so), negotiates versions with ApiVersions (v3,
    /// falling back to the version the broker's KIP-511 answer names) and authenticates with
    /// SASL when `security` has a login.
    public static func connect(host: String, port: Int, clientId: String, connectTimeoutMs: Int, requestTimeoutMs: Int,
                               security: ClientSecurity = .plaintext,
                               group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws(KafkaClientError) -> BrokerConnection {
        let address = "\(host):\(port)"
        let loop = group.next()
        let handshake = loop.makePromise(of: Void.self)
        let tls = security.tls
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(Int64(connectTimeoutMs)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(try tls.handler(host: host))
                        try channel.pipeline.syncOperations.addHandler(TLSHandshakeWaiter(promise: handshake))
                    }
                    // A response frame is at least its 4-byte correlation id.
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameHandler(KafkaFrameDecoder(minFrameSize: 4))))
                    try channel.pipeline.syncOperations.addHandler(ResponseDispatcher(address: address, explain: { tls?.explain($0, address: address) }))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            handshake.fail(error)
            throw .unreachable(address: address, reason: reason(error))
        }
        if let tls {
            // Connected is not yet trusted: a handshake that never ends counts as a connect timeout.
            let timer = loop.scheduleTask(in: .milliseconds(Int64(connectTimeoutMs))) { handshake.fail(ChannelError.connectTimeout(.milliseconds(Int64(connectTimeoutMs)))) }
            do {
                try await handshake.futureResult.get()
                timer.cancel()
            } catch {
                timer.cancel()
                channel.close(promise: nil)
                throw tls.explain(error, address: address) ?? .unreachable(address: address, reason: "TLS handshake: " + reason(error))
            }
        } else {
            handshake.succeed()
        }
        let bare = BrokerConnection(host: host, port: port, channel: channel, clientId: clientId, versions: ApiVersionTable(versions: [.apiVersions: 0], brokerRanges: [:]))
        let table: ApiVersionTable
        do {
            table = try await bare.negotiate(timeoutMs: requestTimeoutMs)
        } catch {
            bare.close()
            // A listener that expects TLS drops a plaintext client, or answers with a TLS alert that
            // reads as a frame of hundreds of megabytes; a TLS client never gets this far.
            switch error {
            case .connectionClosed, .malformed:
                throw .unreachable(address: address, reason: "no Kafka answer to ApiVersions (does the listener expect security.protocol "
                                   + "\(security.securityProtocol.rawValue)? see --command-config)")
            default: throw error
            }
        }
        let connection = BrokerConnection(host: host, port: port, channel: channel, clientId: clientId, versions: table)
        if let login = security.sasl {
            do { try await connection.authenticate(login, timeoutMs: requestTimeoutMs) } catch {
                connection.close()
                throw error
            }
        }
        return connection
    }

    static func reason(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("ECONNREFUSED") || text.localizedCaseInsensitiveContains("connection refused") { return "connection refused" }
        if text.localizedCaseInsensitiveContains("timeout") || text.localizedCaseInsensitiveContains("timed out") { return "connection timed out" }
        if text.localizedCaseInsensitiveContains("resolve") || text.contains("getaddrinfo") { return "unknown host" }
        if text.contains("EHOSTUNREACH") || text.contains("ENETUNREACH") { return "no route to host" }
        return text
    }

    private func negotiate(timeoutMs: Int) async throws(KafkaClientError) -> ApiVersionTable {
        var request = ApiVersionsRequest()
        request.clientSoftwareName = "wharf"
        request.clientSoftwareVersion = "0.1.0"
        var version: Int16 = 3
        for _ in 0..<2 {
            let payload = try await roundTrip(apiKey: .apiVersions, version: version, timeoutMs: timeoutMs) { request.encode(into: &$0, version: version) }
            // KIP-511: an unsupported ApiVersions version is answered with a v0 body and error 35.
            let response = try Self.decodeApiVersions(payload, version: version)
            if response.errorCode == KafkaErrorCode.unsupportedVersion {
                let brokerMax = response.apiKeys.first { $0.apiKey == ApiKey.apiVersions.rawValue }?.maxVersion ?? 0
                guard brokerMax < version else { break }
                version = brokerMax
                continue
            }
            guard response.errorCode == 0 else { throw .broker(api: "ApiVersions", code: response.errorCode, context: address) }
            return ApiVersionTable.negotiate(broker: response.apiKeys)
        }
        throw .unsupported("\(address) does not answer ApiVersions at any version this client speaks")
    }

    static func decodeApiVersions(_ payload: [UInt8], version: Int16) throws(KafkaClientError) -> ApiVersionsResponse {
        if let r = try? decodeBody(payload, as: ApiVersionsResponse.self, version: version), r.errorCode != KafkaErrorCode.unsupportedVersion { return r }
        return try decodeBody(payload, as: ApiVersionsResponse.self, version: 0)
    }

    /// Decodes a response payload (header then body) of `Body` at `version`.
    public static func decodeBody<Body: KafkaResponseMessage>(_ payload: [UInt8], as: Body.Type, version: Int16) throws(KafkaClientError) -> Body {
        let result: Result<Body, WharfError> = payload.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            do throws(WharfError) {
                _ = try ResponseHeader(from: &reader, version: KafkaResponse.headerVersion(apiKey: Body.apiKey, apiVersion: version))
                return .success(try Body(from: &reader, version: version))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let body): return body
        case .failure(let error): throw .malformed("\(Body.apiKey.displayName) v\(version): \(error)")
        }
    }

    /// Sends `request` at the negotiated version and decodes the answer.
    public func send<R: KafkaRequestMessage>(_ request: R, timeoutMs: Int) async throws(KafkaClientError) -> R.Response {
        let version = try versions.version(for: R.apiKey)
        return try await send(request, version: version, timeoutMs: timeoutMs)
    }

    public func send<R: KafkaRequestMessage>(_ request: R, version: Int16, timeoutMs: Int) async throws(KafkaClientError) -> R.Response {
        try await sendMeasured(request, version: version, timeoutMs: timeoutMs).response
    }

    /// `send`, also returning the response's size on the wire (size prefix included), which the
    /// client totals per API for the cluster-refresh benchmark.
    public func sendMeasured<R: KafkaRequestMessage>(_ request: R, timeoutMs: Int) async throws(KafkaClientError) -> (response: R.Response, bytes: Int) {
        try await sendMeasured(request, version: try versions.version(for: R.apiKey), timeoutMs: timeoutMs)
    }

    public func sendMeasured<R: KafkaRequestMessage>(_ request: R, version: Int16, timeoutMs: Int) async throws(KafkaClientError) -> (response: R.Response, bytes: Int) {
        let payload = try await roundTrip(apiKey: R.apiKey, version: version, timeoutMs: timeoutMs) { request.encode(into: &$0, version: version) }
        return (try Self.decodeBody(payload, as: R.Response.self, version: version), payload.count + 4)
    }

    func roundTrip(apiKey: ApiKey, version: Int16, timeoutMs: Int,
                           body: (inout [UInt8]) -> Void) async throws(KafkaClientError) -> [UInt8] {
        let id = nextCorrelationId.withLock { n -> Int32 in
            defer { n = n == Int32.max ? 1 : n + 1 }
            return n
        }
        var frame: [UInt8] = [0, 0, 0, 0]
        RequestHeader(requestApiKey: apiKey.rawValue, requestApiVersion: version, correlationId: id, clientId: clientId)
            .encode(into: &frame, version: KafkaRequest.headerVersion(apiKey: apiKey, apiVersion: version))
        body(&frame)
        frame.setBigEndian(Int32(frame.count - 4), at: 0)
        let address = self.address
        let name = apiKey.displayName
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let pending = PendingRequest(correlationId: id, frame: frame, timeoutMs: timeoutMs,
                                     describe: { .timeout(address: address, api: name, ms: timeoutMs) }, promise: promise)
        channel.writeAndFlush(pending).whenFailure { _ in promise.fail(KafkaClientError.connectionClosed(address: address)) }
        do {
            return try await promise.futureResult.get()
        } catch let e as KafkaClientError {
            throw e
        } catch {
            throw .connectionClosed(address: address)
        }
    }

    public func close() {
        channel.close(promise: nil)
    }
}
