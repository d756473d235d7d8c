import WharfCore

/// Listing, describing and deleting groups.
extension GroupCoordinator {
    /// Every known group (ListGroups), sorted by id.
    public func listGroups() -> [GroupOverview] {
        groups.keys.sorted().compactMap { id in
            groups[id].map {
                GroupOverview(groupId: id, protocolType: $0.protocolType ?? "", state: consumerGroups[id]?.state ?? $0.state,
                              isConsumerProtocol: consumerGroups[id] != nil)
            }
        }
    }

    /// A group's state, protocol, generation and members (DescribeGroups); nil if unknown.
    /// For protocol type "consumer", members' subscriptions and assignments are decoded too.
    public func describe(groupId: String) -> GroupDescription? {
        if let consumerGroup = consumerGroups[groupId] { return consumerGroup.describe(protocolType: ConsumerProtocol.protocolType) }
        return groups[groupId]?.describe()
    }

    /// JoinGroups of `groupId` waiting for the current round to complete (a closed connection's
    /// is withdrawn: its worker is cancelled).
    public func parkedJoinCount(groupId: String) -> Int {
        groups[groupId]?.joinWaiters.count ?? 0
    }

    /// Deletes a group and its committed offsets (DeleteGroups): only when it has no members
    /// (`.groupNotEmpty`), `.unknownGroup` if it does not exist. Writes a tombstone for each
    /// committed offset and one for the group metadata, in one append.
    public func deleteGroup(_ groupId: String) async throws(WharfError) {
        advanceTimers(now: clock.nowMillis())
        guard let group = groups[groupId] else { throw .unknownGroup(groupId) }
        guard group.members.isEmpty, group.state == .empty, consumerGroups[groupId]?.members.isEmpty ?? true else { throw .groupNotEmpty(groupId) }
        var records = group.offsets.keys.sorted().map { ConsumerOffsetsRecord.offsetTombstone(group: groupId, $0).encode() }
        records += consumerGroupTombstones(groupId)
        records.append(ConsumerOffsetsRecord.groupTombstone(group: groupId).encode())
        try writeGroupState(records)
        persistedConsumerGroups[groupId] = nil
        group.state = .dead
        groups[groupId] = nil
        consumerGroups[groupId] = nil
        logger.info("group deleted", metadata: ["group": "\(groupId)", "offsets": "\(group.offsets.count)"])
        try await groupStateDurable()
    }
}
