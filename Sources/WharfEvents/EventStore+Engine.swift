import Logging
import WharfCore
import WharfEngine
import WharfStorage

/// Opening the store next to an `Engine`, and the periodic work the executable drives.
///
/// The executable opens the engine first (it takes the data directory's lock), then the store
/// over the same directory, and closes them in reverse order:
///
///     let engine = try Engine.open(config: config, clock: clock, logger: logger)
///     let events = try EventStore.open(alongside: engine, logger: logger)
///     // on each maintenance timer tick:  await engine.runMaintenance(); events.runMaintenance()
///     // on shutdown:                     try events.close(); try engine.close()
extension EventStore {
    /// Opens `<engine data>/events` with the engine's clock; `fsync` defaults to the engine's policy.
    public static func open(alongside engine: Engine, logger: Logger = Logger(label: "wharf.events"),
                            fsync: FsyncPolicy? = nil) throws(WharfError) -> EventStore {
        try open(dataDirectory: engine.config.dataDirectory, clock: engine.clock, logger: logger,
                 fsync: fsync ?? engine.config.fsync, faults: engine.config.faults)
    }

    /// Makes every acknowledged append durable (an fdatasync unless one already covers them).
    /// A reader that persists a position elsewhere (a projection's checkpoint in its read model)
    /// calls it first: the two are synced independently, and a power cut must not keep a
    /// position past what is left of `$all`, or the events appended there later would be skipped.
    public func ensureDurable() throws(WharfError) {
        try log.ensureDurable()
    }

    /// Periodic work: the interval fsync of `$all` when due, and persistent-subscription message
    /// timeouts (`tick`). Cheap when there is nothing to do; call it every 100-200 ms.
    public func runMaintenance() {
        guard !isClosed else { return }
        do { try log.flushIfDue() } catch {
            logger.error("event store fsync failed", metadata: ["error": "\(error)"])
        }
        tick()
    }
}
