/// What a cell means, never what colour it is: views name roles, themes map roles to colours.
///
/// The raw value is the key used in theme files (`[roles]` table), kebab-case.
/// Every theme must define every role (a test walks `themes/`).
public enum StyleRole: String, CaseIterable, Sendable, Hashable {
    case base = "base"                    // ordinary text on the screen background
    case dim = "dim"                      // secondary text: units, separators, "none yet"
    case title = "title"                  // section titles inside a view
    case border = "border"                // box-drawing lines
    case headerBar = "header-bar"         // the top line
    case headerAccent = "header-accent"   // product name / emphasised parts of the top line
    case breadcrumb = "breadcrumb"        // the path line under the header
    case breadcrumbActive = "breadcrumb-active"
    case footer = "footer"                // bottom key-hint line
    case footerKey = "footer-key"         // the key part of a hint
    case tableHeader = "table-header"
    case tableHeaderSorted = "table-header-sorted"
    case rowSelected = "row-selected"
    case rowMarked = "row-marked"         // rows picked with space (e.g. partitions to reset)
    case number = "number"                // figures in tables
    case sparkline = "sparkline"
    case good = "good"                    // healthy values: zero lag, OK status
    case warning = "warning"              // needs attention: WARN, growing lag, retention risk
    case critical = "critical"            // broken: STALL/STOP/REWIND, never catching up
    case statusOK = "status-ok"
    case statusWarn = "status-warn"
    case statusStall = "status-stall"
    case statusStop = "status-stop"
    case statusRewind = "status-rewind"
    case dangerous = "dangerous"          // destructive keys and dialogs (reset, purge)
    case dialog = "dialog"                // modal body
    case dialogBorder = "dialog-border"
    case dialogTitle = "dialog-title"
    case input = "input"                  // text being typed
    case inputCursor = "input-cursor"
    case completion = "completion"        // palette candidates
    case completionSelected = "completion-selected"
    case filter = "filter"                // active filter indicator
    case message = "message"              // transient success/info line
    case messageError = "message-error"   // transient error line
    case jsonKey = "json-key"
    case jsonString = "json-string"
    case jsonNumber = "json-number"
    case hexOffset = "hex-offset"

    /// Dense index, for per-role tables (colour pairs) without hashing.
    public var index: Int { StyleRole.indexTable[self]! }

    private static let indexTable: [StyleRole: Int] = {
        var table: [StyleRole: Int] = [:]
        for (i, role) in StyleRole.allCases.enumerated() { table[role] = i }
        return table
    }()
}
