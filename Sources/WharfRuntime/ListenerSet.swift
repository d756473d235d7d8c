import WharfAMQPServer
import WharfCore
import WharfDashboard
import WharfEngine
import WharfESDBServer
import WharfEvents
import WharfKafkaServer

/// Every listener a command serves over one engine, started in one place and stopped in one
/// order: Kafka, AMQP (over the queues) and EventStoreDB gRPC (over the event store), then the
/// metrics endpoint that reads them. `wharf serve`, the dashboard and `wharf demo` share it.
public struct ListenerSet: Sendable {
    public let kafka: KafkaServer?
    public let amqp: AMQPServer?
    public let esdb: ESDBServer?
    public let metrics: MetricsEndpoint?
    /// What serve prints once everything listens (addresses, the Service Bus connection string).
    public let startLines: [String]
    /// Why a listener that was asked for does not serve (its default address was taken).
    public let warnings: [String]
    /// The header's line per protocol, read at each refresh.
    fileprivate let status: [ListenerLine]

    /// Starts `plan`'s listeners: AMQP only with `queues`, EventStoreDB only with `events`, and
    /// the metrics endpoint when `metrics` names an address (`refreshFrom`: where no dashboard
    /// feeds it). A listener that must bind and cannot, or metrics that cannot, stop everything
    /// started so far and throw.
    public static func start(_ plan: ListenerPlan, engine: Engine, queues: QueueStore?, events: EventStore?,
                             metrics: (host: String, port: Int)? = nil, refreshFrom driver: (any DashboardDriver)? = nil,
                             refreshMs: Int = 5_000) async throws -> ListenerSet {
        // The AMQP and gRPC listeners' certificates and plaintext rule, before any listener opens
        // (Kafka checks its own in `start`, before it binds).
        if let amqp = plan.amqp, queues != nil { try amqp.configuration.checkSecurity() }
        if let esdb = plan.esdb, events != nil { try esdb.configuration.checkSecurity() }
        var started = Started()
        do {
            try await started.startKafka(plan, engine: engine)
            if let amqp = plan.amqp, let queues { try await started.startAMQP(amqp, queues: queues, dataDirectory: engine.config.dataDirectory) }
            if let esdb = plan.esdb, let events { try await started.startESDB(esdb, events: events) }
            if let metrics {
                let endpoint = try await MetricsEndpoint.start(host: metrics.host, port: metrics.port, kafka: started.kafka,
                                                               listeners: started.otherConnections, storage: true,
                                                               refreshFrom: driver, refreshMs: refreshMs)
                started.metrics = endpoint
                started.lines.append("wharf serving metrics on http://\(hostPort(endpoint.server.host, endpoint.port))/metrics")
            }
        } catch {
            await started.set.stop()
            throw error
        }
        return started.set
    }

    /// Stops the metrics first (they read the others), then EventStoreDB, AMQP and Kafka.
    public func stop() async {
        await metrics?.stop()
        await esdb?.stop()
        await amqp?.stop()
        await kafka?.stop()
    }

    /// What the dashboard's header shows, one entry per protocol.
    public func statuses() -> [ListenerStatus] {
        status.map { ListenerStatus(name: $0.name, state: $0.state()) }
    }
}

/// One protocol's header entry: its bound address and client count, or why it is off.
private struct ListenerLine: Sendable {
    let name: String
    let state: @Sendable () -> String

    static func serving(_ name: String, at address: String, clients: @escaping @Sendable () -> Int) -> ListenerLine {
        ListenerLine(name: name, state: { "\(address) · \(CountText.of(clients(), "client"))" })
    }

    static func off(_ name: String, because why: String? = nil) -> ListenerLine {
        ListenerLine(name: name, state: { why.map { "off: \($0)" } ?? "off" })
    }
}

/// What `ListenerSet.start` has started so far, so a failure stops exactly that.
private struct Started {
    var kafka: KafkaServer?
    var amqp: AMQPServer?
    var esdb: ESDBServer?
    var metrics: MetricsEndpoint?
    var lines: [String] = []
    var warnings: [String] = []
    var status: [ListenerLine] = []

    /// The AMQP and gRPC listeners' connection counts, labelled as in the header.
    var otherConnections: [MetricsEndpoint.ListenerConnections] {
        var out: [MetricsEndpoint.ListenerConnections] = []
        if let amqp { out.append(("amqp", { amqp.connectionCount })) }
        if let esdb { out.append(("grpc", { esdb.connectionCount })) }
        return out
    }

    var set: ListenerSet {
        ListenerSet(kafka: kafka, amqp: amqp, esdb: esdb, metrics: metrics, startLines: lines, warnings: warnings, status: status)
    }

    mutating func startKafka(_ plan: ListenerPlan, engine: Engine) async throws {
        guard let configuration = plan.kafka else { return status.append(.off("kafka")) }
        let server = KafkaServer(engine: engine, configuration: configuration)
        do {
            try await server.start()
        } catch {
            await server.stop()
            if plan.kafkaRequired { throw error }
            warnings.append("wharf: Kafka listener not started: \(error)")
            return status.append(.off("kafka", because: "\(error)"))
        }
        kafka = server
        let address = plan.describeKafka(server.boundListeners)
        lines.append("wharf serving Kafka on \(address) (data \(engine.config.dataDirectory))")
        status.append(.serving("kafka", at: address, clients: { server.connectionCount }))
    }

    /// The AMQP listener over the data directory's queues; its start lines give the connection
    /// string an SDK uses (with the data directory's first key, created on first use).
    mutating func startAMQP(_ request: ListenerPlan.Listener<AMQPServer.Configuration>, queues: QueueStore, dataDirectory: String) async throws {
        let keyStore = ServiceBusKeys(dataDirectory: dataDirectory)
        let server = AMQPServer(queues: queues, keys: keyStore, configuration: request.configuration)
        let keys: [String: String]
        do {
            keys = try keyStore.loadOrCreateDefault()
            try await server.start()
        } catch WharfError.io(let why) where !request.isExplicit {
            await server.stop()
            warnings.append("wharf: AMQP listener not started: \(why) (use --amqp-listen or --no-amqp)")
            return status.append(.off("amqp", because: why))
        } catch {
            await server.stop()
            throw error
        }
        amqp = server
        let keyName = keys[ServiceBusKeys.defaultKeyName] != nil ? ServiceBusKeys.defaultKeyName : keys.keys.sorted()[0]
        let key = keys[keyName] ?? ""
        var addresses: [String] = []
        if let port = server.boundPort {
            let host = request.configuration.host
            lines.append("wharf serving AMQP (Service Bus) on \(host):\(port)")
            lines.append("connection string: \(ServiceBusKeys.connectionString(host: host, port: port, keyName: keyName, key: key))")
            addresses.append(hostPort(host, port))
        }
        if let port = server.boundSecurePort, let host = request.configuration.secure?.host {
            lines.append("wharf serving Service Bus over TLS (amqps) on \(hostPort(host, port))")
            lines.append("TLS connection string: \(ServiceBusKeys.tlsConnectionString(host: host, port: port, keyName: keyName, key: key))")
            if port != ServiceBusKeys.tlsPort {
                lines.append("(the SDKs dial port \(ServiceBusKeys.tlsPort) over TLS: give them sb://\(hostPort(host, port)) as their custom endpoint address)")
            }
            addresses.append("amqps://" + hostPort(host, port))
        }
        status.append(.serving("amqp", at: addresses.joined(separator: ", "), clients: { server.connectionCount }))
    }

    /// The EventStoreDB gRPC listener over the data directory's event store.
    mutating func startESDB(_ request: ListenerPlan.Listener<ESDBServer.Configuration>, events: EventStore) async throws {
        let server = ESDBServer(store: events, configuration: request.configuration)
        let port: Int
        do {
            port = try await server.start()
        } catch WharfError.io(let why) where !request.isExplicit {
            // As for AMQP: the default port is taken (a real EventStoreDB?); the rest still serves.
            await server.stop()
            warnings.append("wharf: EventStoreDB listener not started: \(why) (use --esdb-listen or --no-esdb)")
            return status.append(.off("grpc", because: why))
        } catch {
            await server.stop()
            throw error
        }
        esdb = server
        let security = server.configuration.security
        if security.authorize, security.tls == nil {
            warnings.append("wharf: the EventStoreDB listener is plaintext (no --tls-cert), so nobody on it is identified: "
                                + "under --authorize it refuses every stream call")
        }
        let address = hostPort(server.configuration.host, port)
        let tls = server.configuration.security.tls != nil
        lines.append("wharf serving EventStoreDB gRPC on \(address) (esdb://\(server.configuration.host):\(port)?tls=\(tls))")
        status.append(.serving("grpc", at: address, clients: { server.connectionCount }))
    }
}

/// `host:port` as the start lines print it (an IPv6 host in brackets, as `--metrics-listen` takes it).
private func hostPort(_ host: String, _ port: Int) -> String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
}
