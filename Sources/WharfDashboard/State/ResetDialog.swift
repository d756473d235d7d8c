/// The replay (offset reset) dialog: choose a spec, give its value, review the dry-run, confirm.
public struct ResetDialog: Equatable, Sendable {
    public enum Step: Equatable, Sendable {
        case choose
        case value
        /// Waiting for `pending` more `.resetPreviewed` answers.
        case previewing(pending: Int)
        case review
    }

    public static let choices = ["earliest", "latest", "offset", "date-time", "shift-by", "duration"]

    public var group: String
    /// Topic -> partitions in scope (all of the group's partitions on that topic, or the marked ones).
    public var scope: [(topic: String, partitions: [Int32])]
    public var step: Step = .choose
    public var choice = 0
    public var input = TextInput()
    public var spec: ResetSpec?
    public var rows: [ResetPlanRow] = []
    public var error: String?

    public static func == (a: ResetDialog, b: ResetDialog) -> Bool {
        a.group == b.group && a.step == b.step && a.choice == b.choice && a.input == b.input && a.spec == b.spec
            && a.rows == b.rows && a.error == b.error && a.scope.map(\.topic) == b.scope.map(\.topic)
            && a.scope.map(\.partitions) == b.scope.map(\.partitions)
    }

    public var partitionCount: Int { scope.reduce(0) { $0 + $1.partitions.count } }
}
