import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import Synchronization
import WharfCore
import WharfEvents

/// The EventStoreDB / KurrentDB client protocol (gRPC v1) over Wharf's event store: what
/// `esdbclient`, `kurrentdbclient` and the .NET, Java, Go and Node clients speak: in insecure mode
/// (h2c, HTTP/2 with prior knowledge, `esdb://HOST:PORT?tls=false`), or over TLS with Basic
/// credentials and stream ACLs (`ESDBSecurity`).
///
/// The transport settings are the ones those clients need (see Docs/eventstore.md):
/// - client keepalive pings are allowed every 5 s, also without calls: the .NET client pings every
///   10 s, and grpc-swift's default (one per 5 minutes) would GOAWAY an idle subscription;
/// - requests up to `maxMessageSize` (the clients send events up to 16 MiB; larger requests are
///   refused with RESOURCE_EXHAUSTED by the transport, never buffered).
public final class ESDBServer: Sendable {
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        public var port = 2113
        /// The host Gossip advertises (clients with `esdb+discover://` connect there); nil: `host`.
        public var advertisedHost: String?
        /// Largest request message, in bytes.
        public var maxMessageSize = 17 * 1024 * 1024
        /// TLS, authentication and stream ACLs (`ESDBSecurity`); the default is insecure mode on loopback.
        public var security = ESDBSecurity()
        public init() {}
    }

    public let configuration: Configuration
    public let store: EventStore
    let logger: Logger
    private let running = Mutex<Running?>(nil)
    /// The port Gossip advertises: the bound one once bound (port 0 picks one).
    private let advertisedPort: Atomic<Int>
    private let connections = Atomic<Int>(0)

    private struct Running: Sendable {
        let server: GRPCServer<HTTP2ServerTransport.Posix>
        let task: Task<Void, Never>
        let port: Int
    }

    public init(store: EventStore, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "wharf.esdb")) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        advertisedPort = Atomic(configuration.port)
    }

    /// Connected clients (TCP connections) right now.
    public var connectionCount: Int { connections.load(ordering: .relaxed) }

    /// The services this listener serves (ServerFeatures lists their methods).
    func services() -> [any RegistrableRPCService] {
        let host = configuration.advertisedHost ?? configuration.host
        let gossip = GossipService { [self] in (host, advertisedPort.load(ordering: .relaxed)) }
        let streams = StreamsService(store: store, logger: logger)
        var services: [any RegistrableRPCService] = [gossip, StreamsRoutes(service: streams), PersistentSubscriptionsService(store: store, logger: logger)]
        services.append(ServerFeaturesService(methods: Self.methods(of: services)))
        return services
    }

    /// Binds the listener; returns the bound port (port 0 picks one).
    @discardableResult
    public func start() async throws(WharfError) -> Int {
        let transportSecurity = try configuration.checkedTransportSecurity()
        try writeSystemSettings()
        var config = HTTP2ServerTransport.Posix.Config.defaults
        config.connection.keepalive.clientBehavior = .init(minPingIntervalWithoutCalls: .seconds(5), allowWithoutCalls: true)
        config.rpc.maxRequestPayloadSize = configuration.maxMessageSize
        // The transport's only hook per accepted connection: counted until its channel closes.
        // Weak: the transport's config lives as long as the server (no cycle through `running`).
        config.channelDebuggingCallbacks.onAcceptTCPConnection = { [weak self] channel in
            self?.connections.wrappingAdd(1, ordering: .relaxed)
            channel.closeFuture.whenComplete { _ in self?.connections.wrappingSubtract(1, ordering: .relaxed) }
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        // Before grpc-swift's own stream handler: see GRPCTimeoutGuard.
        config.channelDebuggingCallbacks.onAcceptHTTP2Stream = { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(GRPCTimeoutGuard(), position: .first) }
        }
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: configuration.host, port: configuration.port), transportSecurity: transportSecurity, config: config)
        let server = GRPCServer(transport: transport, services: services(), interceptors: [authentication()])
        let logger = self.logger
        let task = Task {
            do { try await server.serve() } catch {
                // `stop()` cancels this task after the graceful shutdown (subscriptions never end
                // on their own), and the transport reports that as an error: it is a stop.
                if Task.isCancelled { logger.info("esdb listener stopped") } else {
                    logger.error("esdb listener stopped", metadata: ["error": "\(error)"])
                }
            }
        }
        let port: Int
        do {
            let address = try await transport.listeningAddress
            guard let ipv4 = address.ipv4 else { throw RuntimeError(code: .transportError, message: "not an IPv4 address: \(address)") }
            port = ipv4.port
        } catch {
            server.beginGracefulShutdown()
            task.cancel()
            _ = await task.value
            let text = "\(error)"
            let reason = text.contains("Address already in use") || text.contains("EADDRINUSE") ? "address already in use" : text
            throw .io("cannot listen on \(configuration.host):\(configuration.port): \(reason)")
        }
        advertisedPort.store(port, ordering: .relaxed)
        running.withLock { $0 = Running(server: server, task: task, port: port) }
        logger.info("esdb listener started", metadata: ["address": "\(configuration.host):\(port)"])
        return port
    }

    /// EventStoreDB's `$all` always holds system events (`$`-typed), and clients rely on it: a
    /// subscription "excluding nothing" waits for one. A fresh database gets `$settings` once.
    private func writeSystemSettings() throws(WharfError) {
        guard store.lastRevision(of: "$settings") == nil else { return }
        let settings = EventData(type: "$settings", data: Array("{}".utf8), contentType: ESDBWire.jsonContentType)
        do { try store.appendAllowingSystemStream(stream: "$settings", events: [settings], expected: .noStream) } catch {
            if case .wrongExpectedVersion = error { return }
            throw error
        }
    }

    public var boundPort: Int? { running.withLock { $0?.port } }

    /// Stops accepting, ends the calls in flight (subscriptions are open-ended, so they are
    /// cancelled rather than waited for) and returns when the listener is closed.
    public func stop() async {
        guard let r = running.withLock({ r -> Running? in defer { r = nil }; return r }) else { return }
        r.server.beginGracefulShutdown()
        r.task.cancel()
        _ = await r.task.value
    }
}
