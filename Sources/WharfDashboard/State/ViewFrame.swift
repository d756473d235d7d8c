/// Per-screen UI state, kept on the navigation stack so Esc returns to where you were.
public struct ViewFrame: Equatable, Sendable {
    public var id: ViewID
    public var selected: Int = 0
    public var scroll: Int = 0
    public var sortColumn: Int = 0
    public var ascending: Bool = true
    /// Substring filter, case-insensitive; a leading "!" keeps the rows that do NOT match.
    public var filter: String = ""

    public init(_ id: ViewID) { self.id = id }
}
