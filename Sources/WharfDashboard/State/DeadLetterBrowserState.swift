/// The dead-letter message browser's data: one page of messages of one dead-letter entity,
/// and the ones marked with space (the scope of the next requeue).
public struct DeadLetterBrowserState: Equatable, Sendable {
    public var entity: String = ""
    public var rows: [DeadLetterMessageRow] = []
    /// Marked sequence numbers; kept across reloads, pruned to the messages still there.
    public var marked: Set<Int64> = []
    public var mode: RecordViewMode = .text
    public var loading = false
    public static let pageSize = 500
}
