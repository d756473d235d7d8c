import KafkaProtocol
import WharfAdmin
import WharfCore
import WharfKafkaClient

/// A member of a consumer group on a Kafka-protocol cluster, for `consume --group --bootstrap`:
/// the classic protocol as `EmbeddedConsumer` drives the engine's coordinator, over the wire.
/// JoinGroup (with the member id the broker may require first), the range assignment when
/// leader, SyncGroup, Heartbeat between polls, OffsetCommit with generation and member id,
/// LeaveGroup on close. Positions start at the committed offsets, else where `startAt` says.
public actor ClusterGroupConsumer {
    public let client: KafkaClient
    public let group: String
    public let topics: [String]
    public let startAt: ConsumerStartPosition
    public let sessionTimeoutMs: Int32
    private var memberId = ""
    private var generation: Int32 = -1
    private var joined = false
    private var lastHeartbeat: Int64 = 0
    public private(set) var assignment: [TopicPartition] = []
    private var positions: [TopicPartition: Int64] = [:]
    private var nextPartitionIndex = 0
    private let clock: any WallClock

    public init(client: KafkaClient, group: String, topics: [String], startAt: ConsumerStartPosition, sessionTimeoutMs: Int32 = 10_000,
                clock: any WallClock) {
        self.client = client
        self.group = group
        self.topics = topics
        self.startAt = startAt
        self.sessionTimeoutMs = sessionTimeoutMs
        self.clock = clock
    }

    /// Up to `maxRecords` records from the assigned partitions, round-robin across them as
    /// `EmbeddedConsumer.poll` takes them; empty when every assigned partition is read to its end.
    public func poll(maxRecords: Int = 500) async throws -> [ConsumedRecord] {
        try await ensureActive()
        var out: [ConsumedRecord] = []
        guard !assignment.isEmpty else { return out }
        let logs = try await client.logOffsets(assignment)
        var idle = 0
        while out.count < maxRecords, idle < assignment.count {
            let tp = assignment[nextPartitionIndex % assignment.count]
            nextPartitionIndex += 1
            let (start, end) = logs[tp].map { ($0.start, $0.end) } ?? (0, 0)
            var position = positions[tp] ?? start
            if position < start { position = start }  // records below were deleted: skip to what exists
            guard position < end else { idle += 1; continue }
            idle = 0
            let records = try await ClusterRecordReader.read(client, [tp: .init(from: position, until: end, limit: maxRecords - out.count)])[tp] ?? []
            for r in records { out.append(ConsumedRecord(topic: tp.topic, partition: tp.partition, record: r)) }
            positions[tp] = (records.last?.offset).map { $0 + 1 } ?? end
        }
        return out
    }

    /// Commits next-offsets as this member of this generation; a fenced commit throws and the
    /// member rejoins on its next poll.
    public func commit(_ offsets: [TopicPartition: Int64]) async throws {
        guard joined, !offsets.isEmpty else { return }
        var request = OffsetCommitRequest()
        request.groupId = group
        request.generationIdOrMemberEpoch = generation
        request.memberId = memberId
        request.retentionTimeMs = -1
        var byTopic: [String: [OffsetCommitRequest.OffsetCommitRequestPartition]] = [:]
        for (tp, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            byTopic[tp.topic, default: []].append(.init(partitionIndex: tp.partition, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: ""))
        }
        request.topics = byTopic.keys.sorted().map { .init(name: $0, partitions: byTopic[$0]!) }
        let r = try await client.send(request, to: .node(try await coordinator()))
        for t in r.topics {
            for p in t.partitions where p.errorCode != 0 {
                joined = false
                throw KafkaClientError.broker(api: "OffsetCommit", code: p.errorCode, context: "group \(group)")
            }
        }
    }

    /// Leaves the group so the others rebalance at once instead of after a session timeout.
    public func close() async {
        guard !memberId.isEmpty, let node = try? await coordinator() else { return }
        let version = (try? await client.negotiatedVersion(.leaveGroup)) ?? 0
        var request = LeaveGroupRequest()
        request.groupId = group
        if version >= 3 { request.members = [.init(memberId: memberId)] } else { request.memberId = memberId }
        _ = try? await client.send(request, to: .node(node))
        joined = false
    }

    private func coordinator() async throws -> Int32 {
        guard let node = try await client.coordinators(for: [group])[group] else { throw KafkaClientError.notFound("no coordinator for group \(group)") }
        return node
    }

    private func ensureActive() async throws {
        let now = clock.nowMillis()
        if joined, now - lastHeartbeat >= Int64(sessionTimeoutMs / 3) {
            let r = try await client.send(HeartbeatRequest(groupId: group, generationId: generation, memberId: memberId), to: .node(try await coordinator()))
            if r.errorCode == 0 {
                lastHeartbeat = now
            } else {
                if r.errorCode == KafkaErrorCode.unknownMemberId { memberId = "" }
                joined = false  // rebalance in progress or fenced generation: rejoin below
            }
        }
        var attempts = 0
        while !joined {
            attempts += 1
            // A rebalance racing ours answers with one of these: join again, a few times.
            do { try await rejoin() } catch let KafkaClientError.broker(_, code, _)
                where attempts < 5 && [KafkaErrorCode.rebalanceInProgress, KafkaErrorCode.unknownMemberId, KafkaErrorCode.illegalGeneration,
                                       KafkaErrorCode.memberIdRequired].contains(code) {
                if code == KafkaErrorCode.unknownMemberId { memberId = "" }
            }
        }
    }

    private func rejoin() async throws {
        let node = try await coordinator()
        let subscription = ConsumerSubscription(topics: topics, userData: nil).encode()
        var join = JoinGroupRequest(groupId: group, sessionTimeoutMs: sessionTimeoutMs, rebalanceTimeoutMs: sessionTimeoutMs, memberId: memberId,
                                    protocolType: ConsumerProtocol.protocolType, protocols: [.init(name: RangeAssignor.name, metadata: subscription)])
        var joined = try await client.send(join, to: .node(node))
        if joined.errorCode == KafkaErrorCode.memberIdRequired {
            memberId = joined.memberId
            join.memberId = memberId
            joined = try await client.send(join, to: .node(node))
        }
        guard joined.errorCode == 0 else { throw KafkaClientError.broker(api: "JoinGroup", code: joined.errorCode, context: "group \(group)") }
        memberId = joined.memberId
        generation = joined.generationId
        var assignments: [SyncGroupRequest.SyncGroupRequestAssignment] = []
        if joined.leader == joined.memberId {
            var subscriptions: [String: [String]] = [:]
            for m in joined.members { subscriptions[m.memberId] = (try? ConsumerSubscription.decode(m.metadata))?.topics ?? [] }
            let metadata = try await client.refreshMetadata()
            var counts: [String: Int32] = [:]
            for t in Set(subscriptions.values.flatMap { $0 }) { if let d = metadata.topic(t) { counts[t] = Int32(d.partitions.count) } }
            for (member, tps) in RangeAssignor.assign(subscriptions: subscriptions, partitionCounts: counts).sorted(by: { $0.key < $1.key }) {
                assignments.append(.init(memberId: member, assignment: ConsumerAssignment(partitions: tps, userData: nil).encode()))
            }
        }
        let sync = try await client.send(SyncGroupRequest(groupId: group, generationId: generation, memberId: memberId,
                                                          protocolType: ConsumerProtocol.protocolType, protocolName: RangeAssignor.name,
                                                          assignments: assignments), to: .node(node))
        guard sync.errorCode == 0 else { throw KafkaClientError.broker(api: "SyncGroup", code: sync.errorCode, context: "group \(group)") }
        assignment = ((try? ConsumerAssignment.decode(sync.assignment))?.partitions ?? []).sorted()
        let committed = try await client.offsetFetch([group])[group] ?? [:]
        let logs = assignment.isEmpty ? [:] : try await client.logOffsets(assignment)
        positions = [:]
        for tp in assignment {
            positions[tp] = committed[tp] ?? (startAt == .earliest ? logs[tp]?.start : logs[tp]?.end) ?? 0
        }
        self.joined = true
        lastHeartbeat = clock.nowMillis()
    }
}

extension ClusterGroupConsumer: GroupConsuming {}
