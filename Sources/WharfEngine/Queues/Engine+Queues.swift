import WharfCore

/// How queues sit beside the engine. `Engine` itself holds no queue state: the executable opens
/// a `QueueStore` over the engine's data directory after `Engine.open` (whose directory lock
/// covers `<data>/queues/` too), drives `tick()` from the same upkeep loop as
/// `runMaintenance()`, and closes the store before the engine:
/// ```
/// let engine = try Engine.open(config: config, clock: clock, logger: logger)
/// let queues = try engine.openQueues()
/// defer { try? queues.close(); try? engine.close() }
/// // upkeep task, every 200 ms:
/// await engine.runMaintenance()
/// try? queues.tick()
/// ```
extension Engine {
    /// Opens the queue store of this engine's data directory with the engine's clock, logger and
    /// fsync policy. Open it once per process: two stores over one directory would write the same logs.
    public func openQueues(purgeUndoWindowMillis: Int64 = 15 * 60_000) throws(WharfError) -> QueueStore {
        var l = logger
        l[metadataKey: "component"] = "queues"
        return try QueueStore.open(dataDirectory: config.dataDirectory, clock: clock, logger: l, fsync: config.fsync,
                                   purgeUndoWindowMillis: purgeUndoWindowMillis, faults: config.faults)
    }
}
