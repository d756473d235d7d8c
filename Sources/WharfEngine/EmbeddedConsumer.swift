import Logging
import WharfCore
import WharfStorage

/// An in-process consumer of a group, driving the coordinator exactly as a Kafka client drives
/// the classic group protocol: join, (leader) assign, sync, heartbeat, fetch, commit, leave.
/// Positions start at the committed offsets, or where `startAt` says when there is none.
public actor EmbeddedConsumer {
    public typealias StartPosition = ConsumerStartPosition

    public let group: String
    public let topics: [String]
    private let engine: Engine
    private let clientId: String
    private let startAt: StartPosition
    private let sessionTimeoutMs: Int32
    private var memberId = ""
    private var generation: Int32 = -1
    private var joined = false
    private var lastHeartbeat: Int64 = 0
    public private(set) var assignment: [TopicPartition] = []
    private var positions: [TopicPartition: Int64] = [:]
    private var nextPartitionIndex = 0

    public init(engine: Engine, group: String, topics: [String], clientId: String = "wharf",
                startAt: StartPosition = .earliest, sessionTimeoutMs: Int32 = 10_000) {
        self.engine = engine
        self.group = group
        self.topics = topics
        self.clientId = clientId
        self.startAt = startAt
        self.sessionTimeoutMs = sessionTimeoutMs
    }

    /// Up to `maxRecords` records from the assigned partitions, round-robin across them.
    /// Rejoins the group first when a rebalance (or a fenced reset) asks it to.
    public func poll(maxRecords: Int = 500) async throws(WharfError) -> [ConsumedRecord] {
        try await ensureActive()
        var out: [ConsumedRecord] = []
        guard !assignment.isEmpty else { return out }
        var idle = 0
        while out.count < maxRecords, idle < assignment.count {
            let tp = assignment[nextPartitionIndex % assignment.count]
            nextPartitionIndex += 1
            let (start, end) = try engine.offsets(topic: tp.topic, partition: tp.partition)
            var position = positions[tp] ?? start
            if position < start { position = start }  // records below were deleted: skip to what exists
            guard position < end else { idle += 1; continue }
            idle = 0
            let records = try engine.readRecords(topic: tp.topic, partition: tp.partition, from: position, maxRecords: maxRecords - out.count)
            for r in records { out.append(ConsumedRecord(topic: tp.topic, partition: tp.partition, record: r)) }
            positions[tp] = (records.last?.offset).map { $0 + 1 } ?? end
        }
        return out
    }

    /// Commits the positions reached by `poll` (the next offset to read, as Kafka commits).
    public func commit() async throws(WharfError) {
        try await commit(positions.filter { assignment.contains($0.key) })
    }

    /// Commits explicit next-offsets; a commit fenced by a reset or rebalance throws and the
    /// consumer rejoins on its next poll.
    public func commit(_ offsets: [TopicPartition: Int64]) async throws(WharfError) {
        guard joined, !offsets.isEmpty else { return }
        do {
            try await engine.coordinator.commit(groupId: group, generationId: generation, memberId: memberId,
                                                offsets: offsets.mapValues { (offset: $0, metadata: "") })
        } catch {
            joined = false
            throw error
        }
    }

    /// Leaves the group so the others rebalance at once instead of after a session timeout.
    public func close() async {
        guard joined || !memberId.isEmpty else { return }
        try? await engine.coordinator.leave(groupId: group, memberIds: [memberId])
        joined = false
    }

    private func ensureActive() async throws(WharfError) {
        let now = engine.clock.nowMillis()
        if joined, now - lastHeartbeat >= Int64(sessionTimeoutMs / 3) {
            do {
                try await engine.coordinator.heartbeat(groupId: group, generationId: generation, memberId: memberId)
                lastHeartbeat = now
            } catch .unknownMember {
                memberId = ""
                joined = false
            } catch {
                joined = false  // rebalance in progress or fenced generation: rejoin below
            }
        }
        if !joined { try await rejoin() }
    }

    private func rejoin() async throws(WharfError) {
        let subscription = ConsumerSubscription(topics: topics, userData: nil).encode()
        let request = JoinGroupRequest(groupId: group, memberId: memberId, groupInstanceId: nil, clientId: clientId,
                                       clientHost: "embedded", sessionTimeoutMs: sessionTimeoutMs,
                                       rebalanceTimeoutMs: sessionTimeoutMs, protocolType: "consumer",
                                       protocols: [(name: RangeAssignor.name, metadata: subscription)])
        let joinResult = try await engine.coordinator.join(request)
        memberId = joinResult.memberId
        generation = joinResult.generationId
        var assignments: [String: [UInt8]] = [:]
        if joinResult.leaderId == joinResult.memberId {
            var subscriptions: [String: [String]] = [:]
            for m in joinResult.members {
                subscriptions[m.memberId] = (try? ConsumerSubscription.decode(m.metadata))?.topics ?? []
            }
            var counts: [String: Int32] = [:]
            for t in Set(subscriptions.values.flatMap { $0 }) {
                if let d = try? engine.describeTopic(t) { counts[t] = Int32(d.partitions.count) }
            }
            for (member, tps) in RangeAssignor.assign(subscriptions: subscriptions, partitionCounts: counts) {
                assignments[member] = ConsumerAssignment(partitions: tps, userData: nil).encode()
            }
        }
        let mine = try await engine.coordinator.sync(groupId: group, generationId: generation, memberId: memberId, assignments: assignments)
        assignment = ((try? ConsumerAssignment.decode(mine))?.partitions ?? []).sorted()
        let committed = await engine.coordinator.fetchOffsets(groupId: group, partitions: assignment)
        positions = [:]
        for tp in assignment {
            if let c = committed[tp] {
                positions[tp] = c.offset
            } else {
                let (start, end) = try engine.offsets(topic: tp.topic, partition: tp.partition)
                positions[tp] = startAt == .earliest ? start : end
            }
        }
        joined = true
        lastHeartbeat = engine.clock.nowMillis()
    }
}
