import Dispatch
import WharfEngine

/// The engine's upkeep while a command runs (retention, fsync intervals, group session timeouts),
/// every 200 ms, plus whatever `also` keeps (queue expiries, event-store maintenance).
///
/// The passes over files (the engine's retention, compaction and due flushes, and `also`) wait
/// for the disk: a queue's tick waits for fdatasyncs under `--fsync always`, and compacting a
/// large log takes seconds. They run on a thread of their own, not on the Swift concurrency pool,
/// whose threads (as many as the CPUs) the listeners and the coordinators' actors need.
public struct EngineUpkeep: Sendable {
    private let task: Task<Void, Never>

    public static func start(_ engine: Engine) -> EngineUpkeep { start(engine, also: {}) }

    public static func start(_ engine: Engine, also: @escaping @Sendable () -> Void) -> EngineUpkeep {
        let files = DispatchQueue(label: "wharf.engine-upkeep")
        return EngineUpkeep(task: Task {
            while !Task.isCancelled {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    files.async {
                        engine.runStorageMaintenance()
                        also()
                        done.resume()
                    }
                }
                await engine.runCoordinatorMaintenance()
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
