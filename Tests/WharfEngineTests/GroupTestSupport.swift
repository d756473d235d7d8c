import Logging
import Testing
import WharfCore
@testable import WharfEngine

/// A coordinator over an in-memory log and a manual clock.
struct GroupHarness {
    let clock: ManualClock
    let log: InMemoryCommitLog
    let coordinator: GroupCoordinator

    init(initialRebalanceDelayMs: Int64 = 0, clock: ManualClock = ManualClock(1_000_000), log: InMemoryCommitLog? = nil,
         catalog: TopicCatalog = .empty) throws {
        self.clock = clock
        self.log = log ?? InMemoryCommitLog(clock: clock)
        self.coordinator = try GroupCoordinator(
            log: self.log, clock: clock, logger: Logger(label: "test.groups", factory: { _ in SwiftLogNoOpLogHandler() }),
            initialRebalanceDelayMs: initialRebalanceDelayMs, catalog: catalog)
    }

    /// A fresh coordinator over the same log and clock: a broker restart. `catalog` is the
    /// topics it finds on disk (consumer groups' partitions are restored against their ids).
    func restarted(catalog: TopicCatalog = .empty) throws -> GroupHarness {
        try GroupHarness(clock: clock, log: log, catalog: catalog)
    }

    func advance(_ ms: Int64) async {
        clock.advance(byMillis: ms)
        await coordinator.tick()
    }
}

/// A consumer's JoinGroup for `topics`, listing `protocols` in order of preference.
func consumerJoin(
    _ groupId: String = "g", memberId: String = "", clientId: String = "c",
    topics: [String] = ["t"], protocols: [String] = ["range"],
    sessionTimeoutMs: Int32 = 10_000, rebalanceTimeoutMs: Int32 = 30_000, protocolType: String = "consumer"
) -> JoinGroupRequest {
    let metadata = ConsumerSubscription(topics: topics).encode()
    return JoinGroupRequest(
        groupId: groupId, memberId: memberId, clientId: clientId, clientHost: "/127.0.0.1",
        sessionTimeoutMs: sessionTimeoutMs, rebalanceTimeoutMs: rebalanceTimeoutMs,
        protocolType: protocolType, protocols: protocols.map { (name: $0, metadata: metadata) })
}

/// Polls `condition`, letting other tasks run in between, a bounded number of times.
func eventually(tries: Int = 20_000, _ condition: () async -> Bool) async -> Bool {
    for _ in 0..<tries {
        if await condition() { return true }
        await Task.yield()
    }
    return await condition()
}

/// Runs `body` expecting it to throw exactly `expected`.
func expectError<T>(_ expected: WharfError, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws(WharfError) -> T) async {
    do {
        _ = try await body()
        Issue.record("expected \(expected), got success", sourceLocation: sourceLocation)
    } catch {
        #expect(error == expected, sourceLocation: sourceLocation)
    }
}

/// Test-only views of the coordinator's internals.
extension GroupCoordinator {
    func waitingJoins(_ groupId: String) -> Int { groups[groupId]?.joinWaiters.count ?? 0 }
    func waitingSyncs(_ groupId: String) -> Int { groups[groupId]?.syncWaiters.count ?? 0 }
    func state(_ groupId: String) -> GroupState? { groups[groupId]?.state }
    func generation(_ groupId: String) -> Int32? { groups[groupId]?.generationId }
}

extension GroupHarness {
    /// Starts a JoinGroup in a task and waits until the coordinator holds it (or it answered).
    func startJoin(_ request: JoinGroupRequest) async -> Task<JoinGroupResult, any Error> {
        let groupId = request.groupId
        let before = await coordinator.waitingJoins(groupId)
        let task = Task { () async throws -> JoinGroupResult in try await coordinator.join(request) }
        _ = await eventually { await coordinator.waitingJoins(groupId) > before }
        return task
    }

    /// Starts a SyncGroup in a task and waits until the coordinator holds it (or it answered).
    func startSync(_ groupId: String = "g", generationId: Int32, memberId: String, assignments: [String: [UInt8]] = [:]) async -> Task<[UInt8], any Error> {
        let before = await coordinator.waitingSyncs(groupId)
        let task = Task { () async throws -> [UInt8] in
            try await coordinator.sync(groupId: groupId, generationId: generationId, memberId: memberId, assignments: assignments)
        }
        _ = await eventually { await coordinator.waitingSyncs(groupId) > before }
        return task
    }

    /// One member joins an empty group and syncs its own assignment: Stable at generation 1.
    func stableSingleMember(_ groupId: String = "g", clientId: String = "a", partitions: [TopicPartition] = [TopicPartition("t", 0)]) async throws -> JoinGroupResult {
        let joined = try await coordinator.join(consumerJoin(groupId, clientId: clientId))
        let assignment = ConsumerAssignment(partitions: partitions).encode()
        _ = try await coordinator.sync(groupId: groupId, generationId: joined.generationId, memberId: joined.memberId, assignments: [joined.memberId: assignment])
        return joined
    }

    /// Two members, stable: `a` joins alone (gen 1), `b` joins, `a` rejoins (gen 2), both sync.
    func stablePair(_ groupId: String = "g") async throws -> (a: JoinGroupResult, b: JoinGroupResult) {
        let first = try await stableSingleMember(groupId, clientId: "a")
        let bTask = await startJoin(consumerJoin(groupId, clientId: "b"))
        let a = try await coordinator.join(consumerJoin(groupId, memberId: first.memberId, clientId: "a"))
        let b = try await bTask.value
        let bSync = await startSync(groupId, generationId: b.generationId, memberId: b.memberId)
        _ = try await coordinator.sync(groupId: groupId, generationId: a.generationId, memberId: a.memberId, assignments: [
            a.memberId: ConsumerAssignment(partitions: [TopicPartition("t", 0)]).encode(),
            b.memberId: ConsumerAssignment(partitions: [TopicPartition("t", 1)]).encode(),
        ])
        _ = try await bSync.value
        return (a, b)
    }
}
