import Foundation
import Logging
import WharfCore
@testable import WharfEngine

/// A fresh data directory and an engine over it, with a manual clock.
final class EngineFixture {
    let path = NSTemporaryDirectory() + "wharf-engine-\(UUID().uuidString)"
    let clock = ManualClock(1_800_000_000_000)
    var engine: Engine!

    let offsetsSegmentBytes: Int

    init(offsetsSegmentBytes: Int = 4 << 20) throws {
        self.offsetsSegmentBytes = offsetsSegmentBytes
        engine = try open()
    }

    func open() throws -> Engine {
        var config = EngineConfig(dataDirectory: path, fsync: .never)
        config.defaultPartitions = 3
        config.offsetsSegmentBytes = offsetsSegmentBytes
        config.minSegmentBytes = 1024  // tests roll segments with a few small records
        return try Engine.open(config: config, clock: clock, logger: Logger(label: "test"))
    }

    func reopen() throws {
        try engine.close()
        engine = try open()
    }

    deinit {
        try? engine?.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}

func values(_ records: [StoredRecord]) -> [String] { records.map { String(decoding: $0.value ?? [], as: UTF8.self) } }
