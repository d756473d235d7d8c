/// How the Records view shows a value.
public enum RecordViewMode: String, CaseIterable, Sendable {
    case text, json, hex

    var next: RecordViewMode {
        switch self {
        case .text: .json
        case .json: .hex
        case .hex: .text
        }
    }
}

/// The Records view's data.
public struct RecordsState: Equatable, Sendable {
    public var topic: String = ""
    public var partition: Int32 = 0
    public var start: RecordStart = .offset(0)
    public var rows: [RecordRow] = []
    public var mode: RecordViewMode = .text
    public var loading = false
    public static let pageSize = 50
}

/// A transient line under the header: the result of the last operation.
public struct StatusMessage: Equatable, Sendable {
    public var text: String
    public var isError: Bool
    /// `DashboardState.ticksSeen` after which it disappears.
    public var untilTick: Int64
}
