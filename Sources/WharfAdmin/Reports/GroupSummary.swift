/// One line of `group list`, whatever the source: the group, its state, members and total lag.
public struct GroupSummary: Encodable, Sendable {
    public let group: String
    public let state: String
    public let members: Int
    public let totalLag: Int64

    public init(group: String, state: String, members: Int, totalLag: Int64) {
        self.group = group
        self.state = state
        self.members = members
        self.totalLag = totalLag
    }
}
