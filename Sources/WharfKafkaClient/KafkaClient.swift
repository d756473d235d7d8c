import KafkaProtocol
import NIOCore
import NIOPosix
import WharfCore

/// A Kafka-protocol client for operating a cluster: bootstrap over several addresses, metadata,
/// one connection per broker, leader and coordinator routing, timeouts, retries with back-off.
/// The admin and data calls are in the `KafkaClient+*.swift` extensions.
public actor KafkaClient {
    public struct Configuration: Sendable {
        public var bootstrap: [BootstrapAddress]
        public var clientId = "wharf"
        public var connectTimeoutMs = 5_000
        public var requestTimeoutMs = 15_000
        /// Attempts per call for retriable failures (transport, leader/coordinator moves).
        public var attempts = 3
        public var retryBackoffMs = 100
        /// TLS and SASL for every broker connection (`--command-config`).
        public var security: ClientSecurity
        public init(bootstrap: [BootstrapAddress], security: ClientSecurity = .plaintext) {
            self.bootstrap = bootstrap
            self.security = security
        }
    }

    public let configuration: Configuration
    private var connections: [String: Task<BrokerConnection, any Error>] = [:]
    public private(set) var metadata: ClusterMetadata?
    private var coordinators: [String: Int32] = [:]
    /// Requests sent since creation, per API (the benchmark reports requests per refresh).
    public private(set) var requestCounts: [ApiKey: Int] = [:]
    /// Response bytes received since creation, per API (size prefixes included).
    public private(set) var responseBytes: [ApiKey: Int] = [:]

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public init(bootstrap: [BootstrapAddress]) {
        self.init(configuration: Configuration(bootstrap: bootstrap))
    }

    public var bootstrapDescription: String { configuration.bootstrap.map(\.description).joined(separator: ",") }

    public var totalRequests: Int { requestCounts.values.reduce(0, +) }

    // MARK: connections

    /// The connection to `host:port`, opened (and version-negotiated) on first use; a dead one is replaced.
    func connection(host: String, port: Int) async throws(KafkaClientError) -> BrokerConnection {
        let key = "\(host):\(port)"
        if let task = connections[key] {
            if let c = try? await task.value, c.isActive { return c }
            if connections[key] == task { connections[key] = nil }
        }
        let config = configuration
        let task = Task<BrokerConnection, any Error> {
            try await BrokerConnection.connect(host: host, port: port, clientId: config.clientId,
                                               connectTimeoutMs: config.connectTimeoutMs, requestTimeoutMs: config.requestTimeoutMs,
                                               security: config.security)
        }
        connections[key] = task
        do {
            return try await task.value
        } catch {
            if connections[key] == task { connections[key] = nil }
            throw (error as? KafkaClientError) ?? .unreachable(address: key, reason: "\(error)")
        }
    }

    /// Any live broker: known brokers first, then the bootstrap list in order. When none answers,
    /// the error names every address tried.
    func anyConnection() async throws(KafkaClientError) -> BrokerConnection {
        var failures: [KafkaClientError] = []
        var candidates = (metadata?.brokers.values.sorted { $0.nodeId < $1.nodeId }.map { BootstrapAddress(host: $0.host, port: $0.port) }) ?? []
        for b in configuration.bootstrap where !candidates.contains(b) { candidates.append(b) }
        for address in candidates {
            do { return try await connection(host: address.host, port: address.port) } catch {
                // Another address would fail the same way: say what is wrong with the settings.
                switch error {
                case .unsupported, .tls, .authentication: throw error
                default: break
                }
                failures.append(error)
            }
        }
        if failures.count == 1 { throw failures[0] }
        throw .unreachable(address: candidates.map(\.description).joined(separator: ","),
                           reason: failures.map { "\($0)" }.joined(separator: "; "))
    }

    func connection(node: Int32) async throws(KafkaClientError) -> BrokerConnection {
        if metadata?.brokers[node] == nil { _ = try await refreshMetadata() }
        guard let broker = metadata?.brokers[node] else { throw .notFound("broker \(node) is not in the cluster metadata") }
        return try await connection(host: broker.host, port: broker.port)
    }

    /// Closes every connection.
    public func close() async {
        for task in connections.values { (try? await task.value)?.close() }
        connections.removeAll()
    }

    // MARK: sending

    /// Where a request goes.
    public enum Target: Sendable, Hashable {
        case any
        case node(Int32)
        case controller
    }

    /// Sends one request with retries: transport failures drop the connection, refresh the
    /// metadata and try again after `retryBackoffMs` (doubling).
    public func send<R: KafkaRequestMessage>(_ request: R, to target: Target) async throws(KafkaClientError) -> R.Response {
        var backoff = configuration.retryBackoffMs
        var attempt = 1
        while true {
            do {
                let conn: BrokerConnection
                switch target {
                case .any: conn = try await anyConnection()
                case .node(let n): conn = try await connection(node: n)
                case .controller:
                    if metadata == nil { _ = try await refreshMetadata() }
                    if let id = metadata?.controllerId, id >= 0, metadata?.brokers[id] != nil { conn = try await connection(node: id) } else { conn = try await anyConnection() }
                }
                requestCounts[R.apiKey, default: 0] += 1
                let (response, bytes) = try await conn.sendMeasured(request, timeoutMs: configuration.requestTimeoutMs)
                responseBytes[R.apiKey, default: 0] += bytes
                return response
            } catch {
                guard error.isRetriable, attempt < configuration.attempts else { throw error }
                attempt += 1
                try? await Task.sleep(for: .milliseconds(backoff))
                backoff *= 2
                if case .node = target { _ = try? await refreshMetadata() }
            }
        }
    }

    /// Runs `body` again (after a metadata refresh and back-off) while it fails retriably.
    func withRetry<T>(_ body: () async throws(KafkaClientError) -> T) async throws(KafkaClientError) -> T {
        var backoff = configuration.retryBackoffMs
        var attempt = 1
        while true {
            do { return try await body() } catch {
                guard error.isRetriable, attempt < configuration.attempts else { throw error }
                attempt += 1
                try? await Task.sleep(for: .milliseconds(backoff))
                backoff *= 2
                coordinators.removeAll()
                _ = try? await refreshMetadata()
            }
        }
    }

    // MARK: metadata

    /// Fetches brokers, controller and every topic's partition leaders.
    @discardableResult
    public func refreshMetadata() async throws(KafkaClientError) -> ClusterMetadata {
        var request = MetadataRequest()
        request.topics = nil  // all topics
        request.allowAutoTopicCreation = false
        let conn = try await anyConnection()
        requestCounts[.metadata, default: 0] += 1
        let (r, bytes) = try await conn.sendMeasured(request, timeoutMs: configuration.requestTimeoutMs)
        responseBytes[.metadata, default: 0] += bytes
        var brokers: [Int32: ClusterMetadata.Broker] = [:]
        for b in r.brokers { brokers[b.nodeId] = .init(nodeId: b.nodeId, host: b.host, port: Int(b.port)) }
        let topics = r.topics.compactMap { t -> ClusterMetadata.Topic? in
            guard let name = t.name, t.errorCode == 0 else { return nil }
            return .init(name: name, isInternal: t.isInternal,
                         partitions: t.partitions.map { .init(partition: $0.partitionIndex, leader: $0.leaderId, errorCode: $0.errorCode,
                                                              replicas: $0.replicaNodes, inSync: $0.isrNodes) }
                             .sorted { $0.partition < $1.partition })
        }.sorted { $0.name < $1.name }
        let m = ClusterMetadata(brokers: brokers, controllerId: r.controllerId, clusterId: r.clusterId, topics: topics)
        metadata = m
        return m
    }

    /// The cached metadata, fetched if there is none yet.
    public func currentMetadata() async throws(KafkaClientError) -> ClusterMetadata {
        if let metadata { return metadata }
        return try await refreshMetadata()
    }

    /// The negotiated version of `key` with any broker (for messages and batching decisions).
    public func negotiatedVersion(_ key: ApiKey) async throws(KafkaClientError) -> Int16 {
        try await anyConnection().versions.version(for: key)
    }

    /// Partitions grouped by the broker that leads them; partitions without a leader are an error.
    func byLeader(_ partitions: some Sequence<TopicPartition>) async throws(KafkaClientError) -> [Int32: [TopicPartition]] {
        var m = try await currentMetadata()
        var out: [Int32: [TopicPartition]] = [:]
        var refreshed = false
        for tp in partitions {
            var leader = m.leader(of: tp)
            if (leader == nil || leader! < 0) && !refreshed {
                m = try await refreshMetadata()
                refreshed = true
                leader = m.leader(of: tp)
            }
            guard let leader else {
                throw m.topic(tp.topic) == nil ? .notFound("unknown topic \(tp.topic)") : .notFound("unknown partition \(tp)")
            }
            guard leader >= 0 else { throw .broker(api: "Metadata", code: KafkaErrorCode.leaderNotAvailable, context: "\(tp)") }
            out[leader, default: []].append(tp)
        }
        return out
    }

    // MARK: coordinators

    /// The coordinator broker of each group (FindCoordinator, batched from v4), cached until a
    /// NOT_COORDINATOR answer.
    public func coordinators(for groups: [String]) async throws(KafkaClientError) -> [String: Int32] {
        let missing = groups.filter { coordinators[$0] == nil }
        if !missing.isEmpty {
            let version = try await negotiatedVersion(.findCoordinator)
            if version >= 4 {
                var request = FindCoordinatorRequest()
                request.keyType = 0
                request.coordinatorKeys = missing
                let r = try await send(request, to: .any)
                for c in r.coordinators {
                    guard c.errorCode == 0 else { throw .broker(api: "FindCoordinator", code: c.errorCode, context: "group \(c.key)") }
                    coordinators[c.key] = c.nodeId
                    noteBroker(nodeId: c.nodeId, host: c.host, port: Int(c.port))
                }
            } else {
                for g in missing {
                    var request = FindCoordinatorRequest()
                    request.key = g
                    let r = try await send(request, to: .any)
                    guard r.errorCode == 0 else { throw .broker(api: "FindCoordinator", code: r.errorCode, context: "group \(g)") }
                    coordinators[g] = r.nodeId
                    noteBroker(nodeId: r.nodeId, host: r.host, port: Int(r.port))
                }
            }
        }
        var out: [String: Int32] = [:]
        for g in groups { out[g] = coordinators[g] }
        return out
    }

    func forgetCoordinator(_ group: String) { coordinators[group] = nil }

    private func noteBroker(nodeId: Int32, host: String, port: Int) {
        guard metadata != nil, metadata?.brokers[nodeId] == nil else { return }
        metadata?.brokers[nodeId] = .init(nodeId: nodeId, host: host, port: port)
    }

    /// Groups bucketed by coordinator.
    func byCoordinator(_ groups: [String]) async throws(KafkaClientError) -> [Int32: [String]] {
        let map = try await coordinators(for: groups)
        var out: [Int32: [String]] = [:]
        for g in groups { if let n = map[g] { out[n, default: []].append(g) } }
        return out
    }
}
