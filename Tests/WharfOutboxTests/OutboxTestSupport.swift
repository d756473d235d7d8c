import Foundation
import GRDB
import Logging
import Synchronization
import WharfCore
import WharfEngine
@testable import WharfOutbox

/// A temp directory with an engine (manual clock) and a SQLite outbox file, removed afterwards.
final class OutboxFixture: Sendable {
    let path = NSTemporaryDirectory() + "wharf-outbox-\(UUID().uuidString)"
    let clock = ManualClock(1_800_000_000_000)
    let engine: Engine
    let store: SQLiteOutboxStore

    init(table: String = "outbox") async throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var config = EngineConfig(dataDirectory: path + "/data", fsync: .never)
        config.defaultPartitions = 3
        engine = try Engine.open(config: config, clock: clock, logger: Logger(label: "test"))
        store = try SQLiteOutboxStore.open(path: path + "/app.sqlite", table: table, create: true, clock: clock)
        try await store.migrate()
    }

    deinit {
        try? engine.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    func relay(_ configure: (inout OutboxRelayConfig) -> Void = { _ in }, hooks: OutboxRelayHooks = OutboxRelayHooks()) -> OutboxRelay {
        Self.relay(store: store, engine: engine, clock: clock, configure, hooks: hooks)
    }

    static func relay(store: any OutboxStore, engine: Engine, clock: any WallClock,
                      _ configure: (inout OutboxRelayConfig) -> Void = { _ in },
                      hooks: OutboxRelayHooks = OutboxRelayHooks()) -> OutboxRelay {
        var config = OutboxRelayConfig()
        config.maxAttempts = 3
        configure(&config)
        return OutboxRelay(store: store, publisher: EngineOutboxPublisher(engine: engine), config: config, clock: clock,
                           logger: Logger(label: "test"), hooks: hooks)
    }

    /// Enqueues events in one committed transaction.
    func enqueue(_ events: [OutboxEvent]) async throws {
        let store = self.store
        try await store.writer.write { db in for e in events { try store.enqueue(e, in: db) } }
    }

    /// Every record of a topic, partition by partition (empty when the topic does not exist).
    func records(_ topic: String) -> [StoredRecord] {
        Self.records(engine, topic)
    }

    static func records(_ engine: Engine, _ topic: String) -> [StoredRecord] {
        guard let d = try? engine.describeTopic(topic) else { return [] }
        return d.partitions.flatMap { p in (try? engine.readRecords(topic: topic, partition: p.partition, from: 0, maxRecords: 100_000)) ?? [] }
    }
}

func event(_ type: String, _ aggregate: String, _ n: Int, id: UUID = UUID()) -> OutboxEvent {
    OutboxEvent(id: id, aggregateType: type, aggregateId: aggregate, type: "\(type)Changed", payload: #"{"n":\#(n)}"#)
}

func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }

func header(_ r: StoredRecord, _ key: String) -> String? {
    r.headers.first { $0.key == key }?.value.map { String(decoding: $0, as: UTF8.self) }
}

/// Payload numbers per aggregate key, in log order (one aggregate lives in one partition).
func sequencesByKey(_ records: [StoredRecord]) -> [String: [Int]] {
    var out: [String: [Int]] = [:]
    for r in records {
        let n = Int(text(r.value).filter(\.isNumber)) ?? -1
        out[text(r.key), default: []].append(n)
    }
    return out
}

struct SimulatedCrash: Error, CustomStringConvertible {
    var description: String { "simulated crash" }
}

/// A switch tests flip from inside @Sendable hooks.
final class Flag: Sendable {
    private let value: Mutex<Bool>
    init(_ v: Bool) { value = Mutex(v) }
    var isOn: Bool { value.withLock { $0 } }
    func set(_ v: Bool) { value.withLock { $0 = v } }
    /// True once: returns the value and turns it off.
    func takeOnce() -> Bool { value.withLock { v in defer { v = false }; return v } }
}
