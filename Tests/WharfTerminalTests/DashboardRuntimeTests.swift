import Foundation
import Synchronization
import Testing
import WharfDashboard
import WharfTerminal

/// The dashboard loop without a terminal: `DashboardRuntime` over a `TestScreen`, with a driver
/// whose effects wait until the test lets them finish.
@MainActor
@Suite struct DashboardRuntimeTests {
    /// A source with two topics whose `perform` blocks until `release()`; counts what it was asked.
    final class GatedDriver: DashboardDriver {
        let capabilities: SourceCapabilities = .all
        private let state = Mutex((released: false, performed: [Effect](), snapshots: 0))

        var performed: [Effect] { state.withLock { $0.performed } }
        var snapshots: Int { state.withLock { $0.snapshots } }
        func release() { state.withLock { $0.released = true } }

        func snapshot() async -> ClusterSnapshot {
            let n = state.withLock { s in
                s.snapshots += 1
                return s.snapshots
            }
            return ClusterSnapshot(timeMs: 1_700_000_000_000 + Int64(n) * 100, source: "gated",
                                   topics: [TopicSnapshot(name: "orders", partitions: [PartitionSnapshot(partition: 0, logStart: 0, logEnd: 10, sizeBytes: 100)]),
                                            TopicSnapshot(name: "payments", partitions: [PartitionSnapshot(partition: 0, logStart: 0, logEnd: 5, sizeBytes: 50)])])
        }

        func perform(_ effect: Effect) async -> Action? {
            state.withLock { $0.performed.append(effect) }
            while !state.withLock({ $0.released }) { try? await Task.sleep(for: .milliseconds(5)) }
            return .operationSucceeded("the slow effect finished")
        }
    }

    final class Flag {
        var value = false
    }

    /// Waits (up to 30 s: a loaded CI machine) until `condition` holds; false if it never does.
    func eventually(_ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while !condition() {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    @Test func aSlowEffectDoesNotBlockKeysRedrawsOrRefreshes() async throws {
        let screen = TestScreen(width: 100, height: 24)
        let driver = GatedDriver()
        var initial = DashboardState(refreshMs: 100)
        // The undo confirmation is open: `y` asks the source for an effect.
        initial.modal = .confirmUndo
        let runtime = DashboardRuntime(screen: screen, pollMs: 20)
        let run = Task { await runtime.run(initial: initial, driver: driver) }

        #expect(await eventually { screen.frameCount > 0 && driver.snapshots >= 1 })
        screen.send([.char("y")])
        #expect(await eventually { driver.performed == [.undoLastReset] })
        // The effect is stuck; the status line says something is running.
        #expect(await eventually { screen.lines.count > 1 && screen.lines[1].contains(DashboardRenderer.workingIndicator) }, "\(screen.lines)")

        // Keys still move the dashboard, and it redraws: the Topics view lists the topics.
        screen.send([.char("2")])
        #expect(await eventually { screen.lines.contains { $0.contains("payments") } && screen.lines[1].contains("Topics") },
                "\(screen.lines.joined(separator: "\n"))")
        #expect(screen.lines[1].contains(DashboardRenderer.workingIndicator))
        // Refreshes keep coming while the effect waits.
        let before = driver.snapshots
        #expect(await eventually { driver.snapshots >= before + 2 })
        // A resize is handled at once too.
        screen.resize(width: 60, height: 20)
        #expect(await eventually { screen.lastFrame?.width == 60 && screen.lastFrame?.height == 20 })

        driver.release()
        #expect(await eventually { screen.lines[1].contains("the slow effect finished") && !screen.lines[1].contains(DashboardRenderer.workingIndicator) },
                "\(screen.lines.joined(separator: "\n"))")
        screen.send([.char("q")])
        let final = await run.value
        #expect(final.quitRequested && final.pendingEffects == 0)
        #expect(driver.performed == [.undoLastReset])
    }

    @Test func quittingWaitsForTheEffectsAlreadyAskedFor() async throws {
        let screen = TestScreen()
        let driver = GatedDriver()
        var initial = DashboardState(refreshMs: 100)
        initial.modal = .confirmUndo
        let finished = Flag()
        let run = Task {
            let final = await DashboardRuntime(screen: screen, pollMs: 20).run(initial: initial, driver: driver)
            finished.value = true
            return final
        }
        #expect(await eventually { screen.frameCount > 0 })
        screen.send([.char("y"), .char("q")])
        #expect(await eventually { driver.performed.count == 1 })
        try await Task.sleep(for: .milliseconds(200))
        // `q` was read, but the reset's undo is still running: the caller must not close its source yet.
        #expect(!finished.value)
        driver.release()
        let final = await run.value
        #expect(final.quitRequested && finished.value)
    }

    @Test func aStopRequestEndsTheLoopLikeQ() async throws {
        let screen = TestScreen()
        let run = Task { await DashboardRuntime(screen: screen, pollMs: 20).run(initial: DashboardState(), driver: GatedDriver()) }
        #expect(await eventually { screen.frameCount > 0 })
        screen.stopRequested = true
        let final = await run.value
        #expect(!final.quitRequested && final.pendingEffects == 0)
    }
}
