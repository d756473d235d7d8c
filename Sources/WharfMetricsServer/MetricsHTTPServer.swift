import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import WharfCore

/// The `/metrics` listener: HTTP/1.1 on swift-nio, answering `GET /metrics` (and `HEAD`) with
/// the text `exposition` returns, within `MetricsListenerLimits`. A request NIO's parser cannot
/// read gets 400 from NIO's `HTTPServerProtocolErrorHandler`, an oversized one 431 or 413, an
/// unknown path 404, another method 405; the listener keeps serving every other connection.
public final class MetricsHTTPServer: Sendable {
    public let host: String
    public let port: Int
    public let limits: MetricsListenerLimits
    private let exposition: @Sendable () async -> String
    /// The listener's one event-loop thread: made by `start`, shut down by `stop` or by a start
    /// that fails, so a server that is never started (or failed to) holds no thread.
    private let group = Mutex<MultiThreadedEventLoopGroup?>(nil)
    private let channel = Mutex<(any Channel)?>(nil)
    private let connections = OpenConnections()
    private let logger: Logger

    public init(host: String, port: Int, limits: MetricsListenerLimits = MetricsListenerLimits(),
                logger: Logger = Logger(label: "wharf.metrics"), exposition: @escaping @Sendable () async -> String) {
        self.host = host
        self.port = port
        self.limits = limits
        self.logger = logger
        self.exposition = exposition
    }

    /// Binds the listener; returns the bound port (the system's choice for port 0). A taken
    /// port is a one-line `WharfError`.
    @discardableResult
    public func start() async throws(WharfError) -> Int {
        let limits = self.limits
        let exposition = self.exposition
        let connections = self.connections
        let logger = self.logger
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let admitted = connections.count.withLock { n in
                    guard n < limits.maxConnections else { return false }
                    n += 1
                    return true
                }
                guard admitted else {
                    logger.warning("refusing metrics connection: too many open", metadata: ["limit": "\(limits.maxConnections)"])
                    return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
                }
                channel.closeFuture.whenComplete { _ in connections.count.withLock { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(limits: limits, exposition: exposition))
                }
            }
        do {
            let bound = try await bootstrap.bind(host: host, port: port).get()
            self.group.withLock { $0 = group }
            channel.withLock { $0 = bound }
            logger.info("metrics listener started", metadata: ["address": "\(host):\(bound.localAddress?.port ?? port)"])
            return bound.localAddress?.port ?? port
        } catch {
            try? await group.shutdownGracefully()
            let reason = "\(error)".contains("Address already in use") ? "address already in use" : "\(error)"
            throw .io("cannot listen for metrics on \(host):\(port): \(reason)")
        }
    }

    /// The bound port (nil before `start` or after `stop`).
    public var boundPort: Int? { channel.withLock { $0?.localAddress?.port } }

    /// Whether the listener's event-loop thread exists (between a successful `start` and `stop`).
    package var holdsEventLoop: Bool { group.withLock { $0 != nil } }

    /// Connections open now.
    public var connectionCount: Int { connections.count.withLock { $0 } }

    /// Closes the listener and shuts its event loop down.
    public func stop() async {
        let open = channel.withLock { c -> (any Channel)? in
            defer { c = nil }
            return c
        }
        try? await open?.close()
        let group = self.group.withLock { g -> MultiThreadedEventLoopGroup? in
            defer { g = nil }
            return g
        }
        try? await group?.shutdownGracefully()
    }
}

/// Connections open now, shared with the accept path (a class: `Mutex` cannot be copied into it).
private final class OpenConnections: Sendable {
    let count = Mutex(0)
}
