import Foundation
import Logging
import WharfCore
@testable import WharfEngine
@testable import WharfStorage
import WharfTestSupport

/// An `--fsync always` engine in a fresh directory, with topic "t" holding one record, whose
/// `__consumer_offsets` fdatasyncs a test can hold: for tests of what the group coordinator does
/// while its writes wait for the disk.
struct HeldOffsetsSyncEngine {
    static let clock = ManualClock(1_800_000_000_000)
    let root = NSTemporaryDirectory() + "wharf-held-offsets-\(UUID().uuidString)"
    let faults = FaultInjector()
    let engine: Engine

    init() throws {
        var config = EngineConfig(dataDirectory: root, fsync: .always)
        config.faults = faults
        config.groupInitialRebalanceDelayMs = 0
        engine = try Engine.open(config: config, clock: Self.clock, logger: Logger(label: "test"))
        try engine.createTopic("t", .init(partitions: 1))
        _ = try engine.produce(topic: "t", records: [Record(value: [1])], partition: 0)
    }

    /// Holds the fdatasyncs of `__consumer_offsets`' segment only (nothing else of this engine
    /// waits) until `faults.releaseSyncs()`. A coordinator that blocked on the held sync would
    /// also block the test's polling, so they are released after `HeldSyncs.releasedAfter` whatever
    /// happens, past any polling deadline. Returns the held log.
    @discardableResult
    func holdOffsetsSyncs() throws -> PartitionLog {
        let offsets = try engine.log(Engine.offsetsTopic, 0)
        faults.holdSyncsForAWhile(pathSuffix: offsets.directory + "/" + LogSegment.name(0) + LogSegment.logSuffix)
        return offsets
    }

    /// The same directory opened again after `engine.close()`: what survived.
    func reopened() throws -> Engine {
        try Engine.open(config: EngineConfig(dataDirectory: root, fsync: .always), clock: Self.clock, logger: Logger(label: "test"))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
