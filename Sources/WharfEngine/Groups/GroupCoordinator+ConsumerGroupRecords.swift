import WharfCore

/// Where a KIP-848 group's state goes to `__consumer_offsets` and comes back from it.
///
/// The coordinator keeps, per consumer group, the records it last wrote (`persistedConsumerGroups`,
/// one per key); after each change it appends, in one batch, exactly the records whose value
/// changed and tombstones for keys that are gone, as Kafka's coordinator writes one record per
/// changed member or epoch. Nothing time-driven is written (a member's last heartbeat): after a
/// restart every restored member's session starts at the restart, so one that does not come
/// back is removed a session timeout later, on the injected clock.
extension GroupCoordinator {
    /// One `__consumer_offsets` key of a consumer group: the key version and, for member
    /// records, the member id.
    struct ConsumerRecordKey: Hashable, Comparable {
        let version: Int16
        let memberId: String

        static func < (a: Self, b: Self) -> Bool { (a.memberId, a.version) < (b.memberId, b.version) }
    }

    /// Appends what changed in group `id` since the last write (all tombstones if the group is
    /// gone). Failure is logged, not thrown, like `persistGroupMetadata`: the change already
    /// happened for the live members, and the kept image makes the next change write it again.
    func persistConsumerGroup(_ id: String) {
        let current = consumerGroups[id].map { Self.records(of: $0, catalog: topicCatalog) } ?? [:]
        let previous = persistedConsumerGroups[id] ?? [:]
        var out: [ConsumerGroupRecord] = []
        for key in current.keys.sorted() where previous[key] != current[key] { out.append(current[key]!) }
        for key in previous.keys.sorted() where current[key] == nil { out.append(Self.tombstone(key, group: id)) }
        guard !out.isEmpty else { return }
        do throws(WharfError) {
            try writeGroupState(out.map { ConsumerOffsetsRecord.consumerGroup($0).encode() })
            persistedConsumerGroups[id] = current.isEmpty ? nil : current
        } catch {
            logger.error("could not persist consumer group state", metadata: ["group": "\(id)", "error": "\(error)"])
        }
    }

    /// Tombstones for every record group `id` has in the log (DeleteGroups writes them with the
    /// offset tombstones, in one append).
    func consumerGroupTombstones(_ id: String) -> [Record] {
        (persistedConsumerGroups[id] ?? [:]).keys.sorted().map { ConsumerOffsetsRecord.consumerGroup(Self.tombstone($0, group: id)).encode() }
    }

    static func key(of record: ConsumerGroupRecord) -> ConsumerRecordKey {
        switch record {
        case .member(_, let m, _), .targetMember(_, let m, _), .currentAssignment(_, let m, _):
            ConsumerRecordKey(version: record.keyVersion, memberId: m)
        case .groupEpoch, .subscribedTopics, .targetEpoch:
            ConsumerRecordKey(version: record.keyVersion, memberId: "")
        }
    }

    static func isTombstone(_ record: ConsumerGroupRecord) -> Bool {
        switch record {
        case .groupEpoch(_, nil), .subscribedTopics(_, nil), .member(_, _, nil), .targetEpoch(_, nil),
             .targetMember(_, _, nil), .currentAssignment(_, _, nil):
            true
        default:
            false
        }
    }

    private static func tombstone(_ key: ConsumerRecordKey, group: String) -> ConsumerGroupRecord {
        switch key.version {
        case 3: .groupEpoch(group: group, epoch: nil)
        case 4: .subscribedTopics(group: group, nil)
        case 5: .member(group: group, memberId: key.memberId, nil)
        case 6: .targetEpoch(group: group, epoch: nil)
        case 7: .targetMember(group: group, memberId: key.memberId, nil)
        default: .currentAssignment(group: group, memberId: key.memberId, nil)
        }
    }

    // MARK: group -> records

    /// The records that describe `group` now, by key.
    static func records(of group: ConsumerGroup, catalog: TopicCatalog) -> [ConsumerRecordKey: ConsumerGroupRecord] {
        let id = group.groupId
        var out: [ConsumerGroupRecord] = [
            .groupEpoch(group: id, epoch: group.groupEpoch),
            .targetEpoch(group: id, epoch: group.assignmentEpoch),
            .subscribedTopics(group: id, group.subscribedTopics.keys.sorted().compactMap { name in
                catalog.topicId(name).map { ConsumerGroupRecord.SubscribedTopic(topicId: $0, name: name, partitions: group.subscribedTopics[name]!) }
            }),
        ]
        for m in group.members.values {
            out.append(.member(group: id, memberId: m.memberId, ConsumerGroupRecord.MemberSubscription(
                instanceId: m.instanceId, rackId: m.rackId, clientId: m.clientId, clientHost: m.clientHost,
                subscribedTopicNames: m.subscribedTopicNames, subscribedTopicRegex: m.subscribedTopicRegex,
                serverAssignor: m.serverAssignor, rebalanceTimeoutMs: m.rebalanceTimeoutMs)))
            out.append(.currentAssignment(group: id, memberId: m.memberId, ConsumerGroupRecord.MemberAssignment(
                memberEpoch: m.memberEpoch, previousMemberEpoch: m.previousMemberEpoch, state: m.state.recordByte,
                assigned: topicIdPartitions(m.assigned, catalog), pendingRevocation: topicIdPartitions(m.pendingRevocation, catalog))))
        }
        for (memberId, target) in group.targetAssignment {
            out.append(.targetMember(group: id, memberId: memberId, topicIdPartitions(target, catalog)))
        }
        return Dictionary(out.map { (key(of: $0), $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Partitions by topic id, topics and partitions sorted; a topic without an id (deleted)
    /// is left out.
    private static func topicIdPartitions(_ partitions: Set<TopicPartition>, _ catalog: TopicCatalog) -> [ConsumerGroupRecord.TopicIdPartitions] {
        Dictionary(grouping: partitions, by: \.topic).keys.sorted().compactMap { topic in
            catalog.topicId(topic).map { topicId in
                ConsumerGroupRecord.TopicIdPartitions(
                    topicId: topicId, partitions: partitions.filter { $0.topic == topic }.map(\.partition).sorted())
            }
        }
    }

    // MARK: records -> group

    /// Rebuilds consumer groups from their last records (a group exists while its epoch record
    /// does). Partitions of topics whose id no longer names a topic (deleted, or deleted and
    /// created again) are dropped; so are records of members without a member record. Every
    /// member's session starts `now`; one that was revoking gets its rebalance timeout anew.
    static func restoreConsumerGroups(_ records: [String: [ConsumerRecordKey: ConsumerGroupRecord]], catalog: TopicCatalog,
                                      now: Int64) -> [String: ConsumerGroup] {
        var out: [String: ConsumerGroup] = [:]
        for (id, byKey) in records {
            guard case .groupEpoch(_, let epoch?)? = byKey[ConsumerRecordKey(version: 3, memberId: "")] else { continue }
            let group = ConsumerGroup(groupId: id, now: now)
            group.groupEpoch = epoch
            if case .targetEpoch(_, let target?)? = byKey[ConsumerRecordKey(version: 6, memberId: "")] {
                group.assignmentEpoch = min(target, epoch)
            }
            if case .subscribedTopics(_, let topics?)? = byKey[ConsumerRecordKey(version: 4, memberId: "")] {
                for t in topics where catalog.topicName(t.topicId) == t.name { group.subscribedTopics[t.name] = t.partitions }
            }
            for case .member(_, let memberId, let s?) in byKey.values {
                var member = ConsumerGroupMember(
                    memberId: memberId, instanceId: s.instanceId, rackId: s.rackId, clientId: s.clientId, clientHost: s.clientHost,
                    rebalanceTimeoutMs: s.rebalanceTimeoutMs, lastHeartbeatMs: now)
                member.subscribedTopicNames = s.subscribedTopicNames
                member.subscribedTopicRegex = s.subscribedTopicRegex
                member.serverAssignor = s.serverAssignor
                if case .currentAssignment(_, _, let a?)? = byKey[ConsumerRecordKey(version: 8, memberId: memberId)] {
                    member.memberEpoch = min(a.memberEpoch, group.assignmentEpoch)
                    member.previousMemberEpoch = a.previousMemberEpoch
                    member.state = ConsumerMemberState(recordByte: a.state)
                    member.assigned = partitions(a.assigned, catalog)
                    member.pendingRevocation = partitions(a.pendingRevocation, catalog)
                    if member.state == .unrevokedPartitions {
                        member.revocationDeadlineMs = now &+ Int64(max(member.rebalanceTimeoutMs, 0))
                    }
                }
                group.members[memberId] = member
            }
            for case .targetMember(_, let memberId, let target?) in byKey.values where group.members[memberId] != nil {
                group.targetAssignment[memberId] = partitions(target, catalog)
            }
            let sorted = group.members.values.sorted { $0.memberId < $1.memberId }
            group.assignor = sorted.lazy.compactMap { $0.serverAssignor.flatMap(ConsumerGroupAssignor.init(rawValue:)) }.first ?? .default
            out[id] = group
        }
        return out
    }

    private static func partitions(_ topics: [ConsumerGroupRecord.TopicIdPartitions], _ catalog: TopicCatalog) -> Set<TopicPartition> {
        var out: Set<TopicPartition> = []
        for t in topics {
            guard let name = catalog.topicName(t.topicId) else { continue }
            for p in t.partitions { out.insert(TopicPartition(name, p)) }
        }
        return out
    }
}

extension ConsumerMemberState {
    /// Kafka's `MemberState` byte in `ConsumerGroupCurrentMemberAssignment` records.
    var recordByte: Int8 {
        switch self {
        case .stable: 1
        case .unrevokedPartitions: 2
        case .unreleasedPartitions: 3
        }
    }

    /// An unknown byte reads as stable: the member then reconciles towards its target as usual.
    init(recordByte: Int8) {
        switch recordByte {
        case 2: self = .unrevokedPartitions
        case 3: self = .unreleasedPartitions
        default: self = .stable
        }
    }
}
