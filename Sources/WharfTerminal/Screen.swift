import WharfDashboard

/// Where the dashboard loop draws and reads: the terminal (`CursesScreen`), or a `TestScreen` in
/// tests. The loop (`DashboardRuntime`) knows nothing else of the terminal, so it runs, is
/// resized and quits in a unit test without tmux.
@MainActor
public protocol Screen: AnyObject {
    var size: (width: Int, height: Int) { get }
    /// Draws a frame (an implementation may draw only what changed since the last one).
    func draw(_ canvas: Canvas)
    /// Forgets the previous frame, so the next `draw` repaints everything (after a resize).
    func invalidate()
    /// Waits up to `timeoutMs` for one input (0: only what already arrived); nil when none did.
    func nextInput(timeoutMs: Int) async -> ScreenInput?
    /// The loop must stop as if `q` was pressed (a stop signal, the terminal went away).
    var stopRequested: Bool { get }
}

/// One input event from a screen.
public enum ScreenInput: Equatable, Sendable {
    case key(Key)
    /// The screen changed size: read `Screen.size` again.
    case resize
    /// Something the dashboard has no use for (an unmapped key, a mouse event).
    case ignored
}
