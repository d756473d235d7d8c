import KafkaProtocol
import Logging
import Synchronization
import WharfAuth
import WharfCore
import WharfEngine

/// Maps decoded Kafka requests onto the engine and encodes the answers: the broker's brain,
/// free of sockets (the NIO handlers only move frames), so it is tested by feeding it frames.
public final class KafkaBroker: Sendable {
    public enum Outcome: Sendable, Equatable {
        case respond([UInt8])
        /// Produce with acks=0: the client expects nothing back.
        case noResponse
        /// Unparseable or unknown request: log and drop the connection, as Kafka does.
        case close(String)
        /// Answer, then drop the connection (a failed SASL authentication).
        case respondThenClose([UInt8], String)
    }

    let engine: Engine
    let configuration: KafkaServer.Configuration
    let logger: Logger
    let supported: ApiVersionRanges
    let clusterId = "wharf-cluster"
    let securityLog: SecurityEventLog
    /// The ACLs every request is checked against (`--authorize`); nil: no authorization.
    let accessControl: BrokerAccessControl?
    let nodeId: Int32 = 0
    private let advertised = Mutex<(host: String, port: Int32)>(("127.0.0.1", 9092))

    public init(engine: Engine, configuration: KafkaServer.Configuration, logger: Logger) {
        self.engine = engine
        var configuration = configuration
        // A read-only listener creates nothing, not even the topics clients ask about.
        if configuration.readOnly { configuration.autoCreateTopics = false }
        self.configuration = configuration
        self.logger = logger
        securityLog = SecurityEventLog(logger: logger, clock: engine.clock)
        accessControl = configuration.authorization.map { BrokerAccessControl(settings: $0, logger: logger) }
        supported = configuration.apiVersions
        advertised.withLock { $0 = (configuration.advertisedHost ?? configuration.host, Int32(configuration.port)) }
    }

    func setAdvertised(host: String, port: Int32) { advertised.withLock { $0 = (host, port) } }
    var advertisedHost: String { advertised.withLock { $0.host } }
    public var advertisedPort: Int32 { advertised.withLock { $0.port } }

    /// `body` encoded as the answer to request `correlationId` at `version`.
    static func reply<B: KafkaResponseMessage>(_ body: B, correlationId: Int32, version: Int16) -> Outcome {
        do {
            return .respond(try KafkaResponse.encode(correlationId: correlationId, version: version, body: body))
        } catch {
            return .close(error.description)
        }
    }

    /// Runs one frame payload with no SASL state carried over (tests, tools); `connection` says
    /// which listener the client came through (nil: the first listener).
    public func handle(_ payload: [UInt8], connection: KafkaConnectionInfo? = nil) async -> Outcome {
        var session = ConnectionSession(peer: "?", connection: connection)
        return await handle(payload, session: &session)
    }

    /// Decodes one frame payload, runs it, and encodes the answer at the request's version.
    /// `session` says which listener the client came through and carries its SASL state from
    /// one request to the next.
    public func handle(_ payload: [UInt8], session: inout ConnectionSession) async -> Outcome {
        if session.awaitsRawTokens { return rawSaslToken(payload, session: &session) }
        let connection = session.connection
        let request: KafkaRequest
        do {
            request = try KafkaRequest.decode(payload, supported: supported)
        } catch {
            if let frame = error.responseFrame(supported: supported) { return .respond(frame) }
            return .close(error.description)
        }
        let version = request.apiVersion
        // A client is told the address of the listener it used, never another one's (an SSL
        // client sent to the PLAINTEXT port would fail its handshake).
        let advertised = connection.map { (host: $0.advertisedHost, port: $0.advertisedPort) } ?? (advertisedHost, advertisedPort)
        let id = request.correlationId
        func replyThenClose<B: KafkaResponseMessage>(_ body: B, _ reason: String) -> Outcome {
            guard case .respond(let frame) = Self.reply(body, correlationId: id, version: version) else { return .close(reason) }
            return .respondThenClose(frame, reason)
        }
        if security(of: session).requiresSASL, !session.isAuthenticated,
           !Self.isAllowedBeforeAuthentication(request.apiKey) {
            return .close("\(request.apiKey) request before SASL authentication")
        }
        let incoming = resolvingTopicIds(request.body, version: version)
        if configuration.readOnly, let refusal = readOnlyRefusal(incoming, version: version) {
            // acks=0 waits for no answer: closing is how Kafka tells such a producer it failed.
            guard request.expectsResponse else { return .close(Self.readOnlyMessage) }
            do {
                return .respond(try KafkaResponse.encode(correlationId: id, version: version, body: refusal))
            } catch {
                return .close(error.description)
            }
        }
        // --authorize: what the principal may not do is taken out of the request (and answered
        // by the amendment), or the whole request is refused.
        let check = accessControl.map { accessCheck($0, session: session) }
        let plan = check.map { authorizationPlan(incoming, version: version, check: $0) } ?? .proceed(incoming, nil)
        let body: KafkaRequestBody
        let amendment: ResponseAmendment?
        switch plan {
        case .proceed(let allowed, let change):
            (body, amendment) = (allowed, change)
        case .refuse(let refusal):
            do {
                return .respond(try KafkaResponse.encode(correlationId: id, version: version, body: refusal))
            } catch {
                return .close(error.description)
            }
        }
        func reply<B: KafkaResponseMessage>(_ body: B) -> Outcome {
            Self.reply(amendment?.apply(to: body) ?? body, correlationId: id, version: version)
        }
        switch body {
        case .apiVersions:
            return reply(supported.apiVersionsResponse())
        case .saslHandshake(let r):
            let (response, close) = saslHandshake(r, version: version, session: &session)
            return close.map { replyThenClose(response, $0) } ?? reply(response)
        case .saslAuthenticate(let r):
            let (response, close) = saslAuthenticate(r, session: &session)
            return close.map { replyThenClose(response, $0) } ?? reply(response)
        case .describeUserScramCredentials(let r):
            return reply(describeUserScramCredentials(r))
        case .alterUserScramCredentials(let r):
            return reply(alterUserScramCredentials(r, principal: session.principal, actor: session.auditActor))
        case .describeAcls(let r):
            return reply(describeAcls(r, session: session))
        case .createAcls(let r):
            return reply(createAcls(r, session: session))
        case .deleteAcls(let r):
            return reply(deleteAcls(r, session: session))
        case .metadata(let r):
            return reply(withAuthorizedOperations(metadata(r, version: version, advertised: advertised), asked: r, version: version, check: check))
        case .produce(let r):
            let response = await produce(r).acknowledged()
            return r.acks == 0 ? .noResponse : reply(response)
        case .fetch(let r):
            return reply(await fetch(r))
        case .listOffsets(let r):
            return reply(listOffsets(r, version: version))
        case .findCoordinator(let r):
            return reply(findCoordinator(r, version: version, advertised: advertised))
        case .joinGroup(let r):
            return reply(await joinGroup(r, clientId: request.header.clientId ?? ""))
        case .syncGroup(let r):
            return reply(await syncGroup(r))
        case .heartbeat(let r):
            return reply(await heartbeat(r))
        case .leaveGroup(let r):
            return reply(await leaveGroup(r))
        case .offsetCommit(let r):
            return reply(await offsetCommit(r, actor: session.auditActor))
        case .offsetFetch(let r):
            return reply(await offsetFetch(r, version: version))
        case .listGroups(let r):
            return reply(await listGroups(r))
        case .describeGroups(let r):
            return reply(withAuthorizedOperations(await describeGroups(r), asked: r, check: check))
        case .deleteGroups(let r):
            return reply(await deleteGroups(r, actor: session.auditActor))
        case .createTopics(let r):
            return reply(createTopics(r, actor: session.auditActor))
        case .deleteTopics(let r):
            return reply(deleteTopics(r, version: version, actor: session.auditActor))
        case .deleteRecords(let r):
            return reply(deleteRecords(r, actor: session.auditActor))
        case .describeConfigs(let r):
            return reply(describeConfigs(r))
        case .describeLogDirs(let r):
            return reply(describeLogDirs(r))
        case .offsetForLeaderEpoch(let r):
            return reply(offsetForLeaderEpoch(r))
        case .initProducerId(let r):
            return reply(await initProducerId(r, version: version))
        case .addPartitionsToTxn(let r):
            return reply(await addPartitionsToTxn(r, version: version))
        case .addOffsetsToTxn(let r):
            return reply(await addOffsetsToTxn(r, version: version))
        case .txnOffsetCommit(let r):
            return reply(await txnOffsetCommit(r, version: version))
        case .endTxn(let r):
            return reply(await endTxn(r, version: version))
        case .createPartitions(let r):
            return reply(createPartitions(r))
        case .alterConfigs(let r):
            return reply(alterConfigs(r))
        case .incrementalAlterConfigs(let r):
            return reply(incrementalAlterConfigs(r))
        case .describeCluster(let r):
            return reply(withAuthorizedOperations(describeCluster(r, advertised: advertised), asked: r, check: check))
        case .offsetDelete(let r):
            return reply(await offsetDelete(r))
        case .describeProducers(let r):
            return reply(describeProducers(r))
        case .consumerGroupHeartbeat(let r):
            return reply(await consumerGroupHeartbeat(r, clientId: request.header.clientId ?? "", clientHost: session.clientHost))
        case .consumerGroupDescribe(let r):
            return reply(await consumerGroupDescribe(r))
        case .describeTransactions(let r):
            return reply(await describeTransactions(r))
        case .listTransactions(let r):
            return reply(await listTransactions(r))
        }
    }
}
