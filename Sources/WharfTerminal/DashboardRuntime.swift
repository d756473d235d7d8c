import Synchronization
import WharfDashboard

/// The dashboard loop over any `Screen`: feeds keys and resizes to `update`, pulls a snapshot
/// every refresh interval (unless paused), and redraws. As bubbletea runs commands, effects run
/// off the input loop: one at a time, in order, on a task of their own (`EffectQueue`), and their
/// results come back as actions; snapshots are read in the background too. So a slow effect or a
/// slow source never stops keys or redraws, and `DashboardState.pendingEffects` puts a "working…"
/// mark in the status line meanwhile. Quitting waits for the effects already asked for, so the
/// caller closes its source only after they finished.
@MainActor
public final class DashboardRuntime<S: Screen> {
    public let screen: S
    /// Longest wait for an input before checking the refresh clock and the results again.
    public let pollMs: Int

    public init(screen: S, pollMs: Int = 50) {
        self.screen = screen
        self.pollMs = pollMs
    }

    /// Runs until `q` or `screen.stopRequested`; returns the final state.
    public func run(initial: DashboardState, driver: some DashboardDriver) async -> DashboardState {
        var state = initial
        state.capabilities = state.capabilities.intersection(driver.capabilities)
        var canvas = Canvas(width: 0, height: 0)
        let clock = ContinuousClock()
        let inbox = Inbox()
        let effects = EffectQueue(driver: driver, inbox: inbox)

        let (w, h) = screen.size
        _ = state.update(.resize(width: w, height: h))
        // Draw the empty frame at once so the screen is not blank while the first snapshot loads.
        Dashboard.render(state, into: &canvas, width: w, height: h)
        screen.draw(canvas)
        apply(.tick(await driver.snapshot()), to: &state, effects: effects)
        var nextTick = clock.now.advanced(by: .milliseconds(state.refreshMs))
        var scheduledRefresh = state.refreshMs
        var snapshotInFlight: Task<Void, Never>?
        var dirty = true

        while !state.quitRequested, !screen.stopRequested {
            // Results first: an effect's answer or a snapshot that arrived while waiting for keys.
            for delivery in inbox.take() {
                switch delivery {
                case .effectDone(let action):
                    state.pendingEffects = max(0, state.pendingEffects - 1)
                    if let action { apply(action, to: &state, effects: effects) }
                case .snapshot(let snap):
                    snapshotInFlight = nil
                    apply(.tick(snap), to: &state, effects: effects)
                }
                dirty = true
            }
            if state.quitRequested { break }
            if dirty {
                Dashboard.render(state, into: &canvas, width: state.width, height: state.height)
                screen.draw(canvas)
                dirty = false
            }
            let untilTick = nextTick - clock.now
            let waitMs = max(0, min(pollMs, Int(untilTick / .milliseconds(1))))
            // Read one input with the timeout, then drain whatever else is already queued
            // (key repeat, paste) before drawing again.
            var input = await screen.nextInput(timeoutMs: waitMs)
            while let event = input {
                switch event {
                case .key(let key):
                    apply(.key(key), to: &state, effects: effects)
                case .resize:
                    let (nw, nh) = screen.size
                    screen.invalidate()
                    apply(.resize(width: nw, height: nh), to: &state, effects: effects)
                case .ignored:
                    break
                }
                dirty = true
                if state.quitRequested { break }
                input = await screen.nextInput(timeoutMs: 0)
            }
            if state.quitRequested { break }
            if state.refreshMs != scheduledRefresh {
                // `+`/`-` take effect now, not after the old interval runs out.
                scheduledRefresh = state.refreshMs
                nextTick = clock.now.advanced(by: .milliseconds(state.refreshMs))
            }
            if clock.now >= nextTick {
                // One snapshot at a time: a slow source skips ticks instead of piling them up.
                if !state.paused, snapshotInFlight == nil {
                    snapshotInFlight = Task { inbox.put(.snapshot(await driver.snapshot())) }
                }
                nextTick = clock.now.advanced(by: .milliseconds(state.refreshMs))
            }
            await Task.yield()
        }
        await effects.finish()
        snapshotInFlight?.cancel()
        await snapshotInFlight?.value
        return state
    }

    /// Applies an action; its effects go to the effect queue (quit and refresh are the loop's own).
    private func apply(_ action: Action, to state: inout DashboardState, effects: EffectQueue) {
        for effect in state.update(action) {
            switch effect {
            case .quit:
                state.quitRequested = true
            case .setRefresh:
                break   // the loop reads state.refreshMs when it schedules the next tick
            default:
                state.pendingEffects += 1
                effects.submit(effect)
            }
        }
    }
}

/// What the background work hands back to the loop.
enum Delivery: Sendable {
    case effectDone(Action?)
    case snapshot(ClusterSnapshot)
}

/// Where background work leaves its results for the loop, which takes them between inputs.
///
/// Thread-safety: a mutex guards the list; `put` may be called from any task.
final class Inbox: Sendable {
    private let items = Mutex<[Delivery]>([])

    func put(_ item: Delivery) { items.withLock { $0.append(item) } }

    func take() -> [Delivery] { items.withLock { items in defer { items = [] }; return items } }
}

/// Runs effects one at a time, in the order they were asked for (the dashboard's effects assume
/// it: an undo after its reset), on a task of its own; each result goes to the inbox.
final class EffectQueue: Sendable {
    private let continuation: AsyncStream<Effect>.Continuation
    private let worker: Task<Void, Never>

    init(driver: some DashboardDriver, inbox: Inbox) {
        let (stream, continuation) = AsyncStream<Effect>.makeStream()
        self.continuation = continuation
        worker = Task {
            for await effect in stream { inbox.put(.effectDone(await driver.perform(effect))) }
        }
    }

    func submit(_ effect: Effect) { continuation.yield(effect) }

    /// Runs what was submitted, then stops.
    func finish() async {
        continuation.finish()
        await worker.value
    }
}
