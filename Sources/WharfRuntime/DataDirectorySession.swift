import WharfCore
import WharfEngine
import WharfEvents
import WharfStorage

/// What a one-shot command opens in a data directory, for one call, always closed afterwards
/// (clean-shutdown markers, the directory's lock released) whether the call succeeds or not.
public enum DataDirectorySession {
    public static func engine<T>(_ directory: String, fsync: FsyncPolicy = .interval(milliseconds: 1000),
                                 _ body: (Engine) async throws -> T) async throws -> T {
        let engine = try Engine.open(config: EngineConfig(dataDirectory: directory, fsync: fsync))
        return try await closing(close: { try engine.close() }, onError: { try? engine.close() }) { try await body(engine) }
    }

    /// The queue store, after one maintenance pass (expired TTLs, due schedules), as a
    /// long-running broker would have run it.
    public static func queues<T>(_ directory: String, fsync: FsyncPolicy = .interval(milliseconds: 1000),
                                 _ body: (QueueStore) async throws -> T) async throws -> T {
        try await engineWithQueues(directory, fsync: fsync) { _, queues in try await body(queues) }
    }

    /// The engine and its queue store (as `queues` opens it), for a command that asks both.
    public static func engineWithQueues<T>(_ directory: String, fsync: FsyncPolicy = .interval(milliseconds: 1000),
                                           _ body: (Engine, QueueStore) async throws -> T) async throws -> T {
        try await engine(directory, fsync: fsync) { engine in
            let queues = try engine.openQueues()
            return try await closing(close: { try queues.close() }, onError: { try? queues.close() }) {
                _ = try queues.tick()
                return try await body(engine, queues)
            }
        }
    }

    /// The event store beside the engine.
    public static func events<T>(_ directory: String, fsync: FsyncPolicy = .interval(milliseconds: 1000),
                                 _ body: (EventStore) async throws -> T) async throws -> T {
        try await engine(directory, fsync: fsync) { engine in
            let store = try EventStore.open(alongside: engine)
            return try await closing(close: { try store.close() }, onError: { try? store.close() }) { try await body(store) }
        }
    }

    /// `work`'s result after `close`; on an error from `work`, `onError` then the error.
    private static func closing<T>(close: () throws -> Void, onError: () -> Void,
                                   _ work: () async throws -> T) async throws -> T {
        let result: T
        do { result = try await work() } catch {
            onError()
            throw error
        }
        try close()
        return result
    }
}
