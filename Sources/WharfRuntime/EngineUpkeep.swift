import WharfEngine

/// The engine's upkeep while a command runs (retention, fsync intervals, group session timeouts),
/// every 200 ms, plus whatever `also` keeps (queue expiries, event-store maintenance).
public struct EngineUpkeep: Sendable {
    private let task: Task<Void, Never>

    public static func start(_ engine: Engine) -> EngineUpkeep { start(engine, also: {}) }

    public static func start(_ engine: Engine, also: @escaping @Sendable () -> Void) -> EngineUpkeep {
        EngineUpkeep(task: Task {
            while !Task.isCancelled {
                await engine.runMaintenance()
                also()
                try? await Task.sleep(for: .milliseconds(200))
            }
        })
    }

    /// Stops the loop and waits for the pass in flight.
    public func stop() async {
        task.cancel()
        _ = await task.value
    }
}
