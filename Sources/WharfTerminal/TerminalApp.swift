#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNCursesW
import WharfDashboard

/// Runs the dashboard in the terminal: pulls a snapshot every refresh interval (unless
/// paused), feeds keys and resizes to `update`, runs effects through the driver, and redraws
/// only the cells that changed. Input is polled with a short timeout so the refresh keeps
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

    /// Runs until the user quits or a stop signal arrives; returns the final state.
    @discardableResult
    public func run(initial: DashboardState, driver: some DashboardDriver) async -> DashboardState {
        let screen = CursesScreen(theme: theme, noColor: noColor)
        defer { screen.close() }
        var state = initial
        state.capabilities = state.capabilities.intersection(driver.capabilities)
        var canvas = Canvas(width: 0, height: 0)
        let clock = ContinuousClock()

        let (w, h) = screen.size
        _ = state.update(.resize(width: w, height: h))
        // Draw the empty frame at once so the screen is not blank while the first snapshot loads.
        Dashboard.render(state, into: &canvas, width: w, height: h)
        screen.draw(canvas)
        await apply(.tick(await driver.snapshot()), to: &state, driver: driver)
        var nextTick = clock.now.advanced(by: .milliseconds(state.refreshMs))
        var scheduledRefresh = state.refreshMs
        var dirty = true
        let hadTerminal = isatty(STDIN_FILENO) == 1

        while !state.quitRequested {
            // SIGTERM/SIGINT/SIGHUP, or the terminal went away without a SIGHUP reaching this
            // process (a hung-up tty fails every ioctl, so `isatty` turns false; input then
            // returns at once and the loop would spin): stop like `q`, so the caller closes the
            // engine cleanly.
            if StopSignals.pending != nil || (hadTerminal && isatty(STDIN_FILENO) == 0) { break }
            if dirty {
                Dashboard.render(state, into: &canvas, width: state.width, height: state.height)
                screen.draw(canvas)
                dirty = false
            }
            let untilTick = nextTick - clock.now
            let waitMs = max(0, min(pollMs, Int(untilTick.components.seconds * 1000 + untilTick.components.attoseconds / 1_000_000_000_000_000)))
            // Read one input with the timeout, then drain whatever else is already queued
            // (key repeat, paste) before drawing again.
            var input = screen.readInput(timeoutMs: waitMs)
            while let event = input {
                switch event {
                case .key(let key):
                    await apply(.key(key), to: &state, driver: driver)
                case .resize:
                    let (nw, nh) = screen.size
                    screen.invalidate()
                    await apply(.resize(width: nw, height: nh), to: &state, driver: driver)
                case .ignored:
                    break
                }
                dirty = true
                if state.quitRequested { break }
                input = screen.readInput(timeoutMs: 0)
            }
            if state.quitRequested { break }
            if state.refreshMs != scheduledRefresh {
                // `+`/`-` take effect now, not after the old interval runs out.
                scheduledRefresh = state.refreshMs
                nextTick = clock.now.advanced(by: .milliseconds(state.refreshMs))
            }
            if clock.now >= nextTick {
                if !state.paused {
                    await apply(.tick(await driver.snapshot()), to: &state, driver: driver)
                    dirty = true
                }
                nextTick = clock.now.advanced(by: .milliseconds(state.refreshMs))
            }
            await Task.yield()
        }
        return state
    }

    /// Applies an action and runs the effects it produces (and those their results produce).
    private func apply(_ action: Action, to state: inout DashboardState, driver: some DashboardDriver) async {
        var queue = [action]
        while !queue.isEmpty {
            let next = queue.removeFirst()
            for effect in state.update(next) {
                switch effect {
                case .quit:
                    state.quitRequested = true
                case .setRefresh:
                    break   // the loop reads state.refreshMs when it schedules the next tick
                default:
                    if let result = await driver.perform(effect) { queue.append(result) }
                }
            }
        }
    }
}
