import WharfAdmin

extension Engine {
    /// `wharf group list` on the engine: every group with the state, members and total lag of
    /// its lag report (its coordinator state where it has none yet).
    public func groupSummaries() async -> [GroupSummary] {
        var rows: [GroupSummary] = []
        for g in await listGroups() {
            let lag = try? await groupLag(g.groupId)
            rows.append(GroupSummary(group: g.groupId, state: lag?.state ?? g.state.rawValue, members: lag?.members ?? 0, totalLag: lag?.totalLag ?? 0))
        }
        return rows
    }
}
