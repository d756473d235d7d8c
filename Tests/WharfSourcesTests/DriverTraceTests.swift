import Foundation
import GRDB
import Logging
import Testing
import WharfAdmin
import WharfClusterSource
import WharfCore
import WharfDashboard
import WharfEngine
import WharfKafkaClient
import WharfKafkaServer
import WharfOutbox
import WharfSources

/// `t` in the dashboard, through the driver: the trace starts at the outbox row (looked up by
/// event id in the dashboard's outboxes, published or still pending), then follows the record,
/// the group that consumed it, its dead-letter copy and its requeue, on the engine and over the
/// Kafka protocol (an in-process `KafkaServer` in front of the same engine). The outbox rows view
/// lists the rows `t` starts from.
@Suite struct DriverTraceTests {
    final class Fixture: Sendable {
        let dir = NSTemporaryDirectory() + "wharf-trace-\(UUID().uuidString)"
        let clock = ManualClock(1_800_000_000_000)
        let engine: Engine
        let store: SQLiteOutboxStore
        let published = UUID().uuidString.lowercased()
        let pending = UUID().uuidString.lowercased()
        static let topic = "outbox.event.order"

        /// Row `published` relayed to outbox.event.order/0/0, consumed by billing, dead-lettered
        /// to orders.DLT with a reason and requeued; row `pending` written after the relay ran.
        init() async throws {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var config = EngineConfig(dataDirectory: dir + "/data", fsync: .never)
            config.defaultPartitions = 1
            engine = try Engine.open(config: config, clock: clock, logger: Logger(label: "test"))
            store = try SQLiteOutboxStore.open(path: dir + "/app.sqlite", create: true, clock: clock)
            try await store.migrate()
            try await enqueue(published, "o-42")
            let relay = OutboxRelay(store: store, publisher: EngineOutboxPublisher(engine: engine), config: OutboxRelayConfig(),
                                    clock: clock, logger: Logger(label: "test"))
            _ = try await relay.pollOnce()
            clock.advance(byMillis: 1_000)
            try await enqueue(pending, "o-7")

            let record = try #require(try engine.readRecords(topic: Self.topic, partition: 0, from: 0, maxRecords: 1).first)
            try await engine.commitFromClient(groupId: "billing", generationId: -1, memberId: "",
                                              offsets: [TopicPartition(Self.topic, 0): (1, "")], actor: .thisProcess)
            try engine.createTopic("orders.DLT", .init(partitions: 1))
            let dead = Record(key: record.key, value: record.value, headers: record.headers + [
                RecordHeader("__connect.errors.topic", Self.topic), RecordHeader("__connect.errors.partition", "0"),
                RecordHeader("__connect.errors.offset", "0"), RecordHeader("__connect.errors.exception.message", "card declined"),
            ], timestamp: clock.nowMillis())
            try engine.produce(topic: "orders.DLT", records: [dead], partition: 0)
            _ = try await engine.requeueDeadLetters(topic: "orders.DLT", selection: .all)
        }

        func enqueue(_ id: String, _ aggregate: String) async throws {
            let event = OutboxEvent(id: UUID(uuidString: id)!, aggregateType: "order", aggregateId: aggregate, type: "created", payload: "{}")
            let store = self.store
            try await store.writer.write { db in try store.enqueue(event, in: db) }
        }

        var outbox: DashboardOutbox { DashboardOutbox(name: "app.sqlite", location: "", store: store, relay: nil, clock: clock) }

        func stop() async {
            try? await store.close()
            try? engine.close()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    static func trace(_ driver: some DashboardDriver, _ query: String) async throws -> TraceSnapshot {
        let answer = await driver.perform(.loadTrace(query: query))
        guard case .traceLoaded(let trace) = answer else { throw WharfError.invalidArgument("no trace for \(query): \(String(describing: answer))") }
        return trace
    }

    /// The same answers from either source: the published row's path, and the pending row alone.
    static func checkTraces(_ driver: some DashboardDriver, _ f: Fixture) async throws {
        for query in [f.published, "\(Fixture.topic)/0/0", "orders.DLT/0/0"] {
            let trace = try await trace(driver, query)
            #expect(trace.eventId == f.published, "\(query)")
            #expect(trace.outbox?.hasPrefix("outbox app.sqlite row \(f.published) (order/o-42 created): published ") == true,
                    "\(query): \(trace.outbox ?? "no outbox row")")
            #expect(trace.hops.map(\.role) == ["record", "dead-letter", "requeued"], "\(query): \(trace.hops)")
            guard trace.hops.count == 3 else { continue }
            #expect(trace.hops[0].record == "\(Fixture.topic)/0/0" && trace.hops[0].consumedBy == ["billing"])
            #expect(trace.hops[1].record == "orders.DLT/0/0" && trace.hops[1].reason == "card declined")
            #expect(trace.hops[2].record == "\(Fixture.topic)/0/1" && trace.hops[2].from == "orders.DLT/0/0")
            #expect(trace.hops[2].pendingFor == ["billing"])
        }
        let pending = try await trace(driver, f.pending)
        #expect(pending.hops.isEmpty)
        #expect(pending.outbox == "outbox app.sqlite row \(f.pending) (order/o-7 created): pending")
        #expect(pending.now == "outbox row \(f.pending) is pending: not published yet")
    }

    @Test func onTheEngineATraceStartsAtTheOutboxRow() async throws {
        let f = try await Fixture()
        let driver = SourceDashboardDriver(source: EngineSource(engine: f.engine), label: "test", readOnly: true, outboxes: [f.outbox])
        do {
            try await Self.checkTraces(driver, f)
            // The outbox rows view `t` starts from: newest first.
            let rows = await driver.perform(.loadOutboxRows(outbox: "app.sqlite", max: 10))
            guard case .outboxRowsLoaded(let name, let loaded) = rows else { throw WharfError.invalidArgument("\(String(describing: rows))") }
            #expect(name == "app.sqlite" && loaded.map(\.id) == [f.pending, f.published] && loaded.map(\.status) == ["pending", "published"])
            #expect(loaded[1].aggregate == "order/o-42" && loaded[1].publishedAtMs == 1_800_000_000_000 && loaded[0].publishedAtMs == nil)
            #expect(await driver.perform(.loadOutboxRows(outbox: "nope", max: 10)) == .operationFailed(DriverMessages.noOutbox("nope")))
        } catch {
            await f.stop()
            throw error
        }
        await f.stop()
    }

    @Test func overTheKafkaProtocolTheClusterAnswersTheSameTrace() async throws {
        let f = try await Fixture()
        var config = KafkaServer.Configuration()
        config.port = 0
        let server = KafkaServer(engine: f.engine, configuration: config, logger: Logger(label: "test"))
        let port = try await server.start()
        let client = KafkaClient(bootstrap: [BootstrapAddress(host: "127.0.0.1", port: port)])
        let driver = SourceDashboardDriver(source: KafkaClusterSource(client: client, clock: f.clock), label: "cluster", readOnly: true,
                                           outboxes: [f.outbox])
        #expect(driver.capabilities.contains(.trace))
        do {
            try await Self.checkTraces(driver, f)
        } catch {
            await client.close()
            await server.stop()
            await f.stop()
            throw error
        }
        await client.close()
        await server.stop()
        await f.stop()
    }
}
