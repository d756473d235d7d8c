#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNCursesW
import WharfDashboard

/// Runs the dashboard in the terminal: `DashboardRuntime` (keys and resizes to `update`, a
/// snapshot every refresh interval, effects off the input loop) over the curses screen, which
/// redraws only the cells that changed. Input is polled with a short timeout so the refresh keeps
/// ticking while no key is pressed.
///
/// Usage (the executable):
/// ```swift
/// let theme = try ThemeLoader.load(nameOrPath: options.theme)
/// let final = await TerminalApp(theme: theme).run(initial: DashboardState(readOnly: ro, refreshMs: ms), driver: driver)
/// ```
/// The terminal is restored when `run` returns, and by a signal handler if the process crashes.
/// SIGTERM, SIGINT and SIGHUP (a closed terminal) end `run` like `q` does, within one input
/// poll, so the caller's cleanup (closing the engine: clean-shutdown markers, no recovery on the
/// next open) still runs (see `StopSignals`).
@MainActor
public final class TerminalApp {
    private let theme: Theme
    private let noColor: Bool
    /// Longest wait for a key before checking the refresh clock again.
    private let pollMs = 50

    /// - Parameters:
    ///   - theme: colours per role (see `ThemeLoader`).
    ///   - noColor: defaults to the `NO_COLOR` convention (set and non-empty: no colours).
    public init(theme: Theme, noColor: Bool? = nil) {
        self.theme = theme
        if let noColor {
            self.noColor = noColor
        } else if let value = getenv("NO_COLOR") {
            self.noColor = value.pointee != 0
        } else {
            self.noColor = false
        }
    }

    /// Runs until the user quits or a stop signal arrives; returns the final state. The loop is
    /// `DashboardRuntime` over the curses screen (effects off the input loop).
    @discardableResult
    public func run(initial: DashboardState, driver: some DashboardDriver) async -> DashboardState {
        let screen = CursesScreen(theme: theme, noColor: noColor)
        defer { screen.close() }
        return await DashboardRuntime(screen: screen, pollMs: pollMs).run(initial: initial, driver: driver)
    }
}
