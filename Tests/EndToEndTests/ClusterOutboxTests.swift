import Foundation
import GRDB
import Testing
import WharfTestSupport

/// The transactional outbox relayed into a Kafka-protocol cluster (`wharf serve` here): by
/// `wharf outbox relay --bootstrap` and by the dashboard attached with `--bootstrap --outbox`.
@Suite(.serialized, .endToEnd) struct ClusterOutboxTests {
    /// An outbox with `count` rows over three aggregates (a0, a1, a2), in id order e0, e1...
    static func outbox(_ dir: TempDir, count: Int) async throws -> String {
        let db = "sqlite:\(dir.path)/app.db"
        #expect(try await WharfProcess.run(["outbox", "init", "--db", db]).status == 0)
        let app = try DatabaseQueue(path: dir.path + "/app.db")
        try await app.write { db in
            for i in 0..<count {
                try db.execute(sql: "INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload) VALUES (?, 'invoice', ?, 'created', ?)",
                               arguments: ["e\(i)", "a\(i % 3)", "{\"n\":\(i)}"])
            }
        }
        try app.close()
        return db
    }

    struct Consumed: Decodable {
        struct Header: Decodable { let key: String; let value: String? }
        let partition: Int32
        let offset: Int64
        let key: String?
        let value: String?
        let headers: [Header]
        var id: String? { headers.first { $0.key == "id" }?.value }
    }

    /// Every record of the topic, read on the broker's data directory once it has stopped.
    static func consumeEmbedded(_ topic: String, data: TempDir) async throws -> [Consumed] {
        let r = try await WharfProcess.run(["consume", topic, "--data", data.path, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try r.lines.map { try JSONDecoder().decode(Consumed.self, from: Data($0.utf8)) }
    }

    @Test func outboxRelayPublishesIntoAClusterKeyedByAggregate() async throws {
        let dir = TempDir()
        let db = try await Self.outbox(dir, count: 9)
        let server = try KafkaListenerTests.Server()
        let relay = try SpawnedProcess([WharfProcess.binary, "outbox", "relay", "--db", db, "--bootstrap", server.bootstrap, "--poll-interval-ms", "20"],
                                       out: dir.path + "/relay.out", err: dir.path + "/relay.err")
        var s: [String: Int] = [:]
        try await KafkaClientGroupTests.waitUntil("the relay to publish 9 rows") {
            s = (try? await OutboxCLITests.statusJSON(db)) ?? [:]
            return s["published"] == 9
        }
        #expect(s["pending"] == 0 && s["dead"] == 0, "\(s)")
        #expect(relay.stop() == 0, "\(relay.stderr)")
        #expect(relay.stdout.contains("app.db/outbox into \(server.bootstrap)") && relay.stdout.contains("stopped on SIGTERM: published 9"),
                "\(relay.stdout)\(relay.stderr)")
        #expect(server.stop() == 0)

        let records = try await Self.consumeEmbedded("outbox.event.invoice", data: server.dir)
        #expect(records.compactMap(\.id).sorted() == (0..<9).map { "e\($0)" }.sorted(), "\(records)")
        // One aggregate, one partition, in the order the application wrote its events.
        for aggregate in ["a0", "a1", "a2"] {
            let mine = records.filter { $0.key == aggregate }
            #expect(Set(mine.map(\.partition)).count == 1, "\(aggregate) spread over partitions: \(mine)")
            #expect(mine.sorted { $0.offset < $1.offset }.compactMap(\.id) == mine.compactMap(\.id).sorted { Int($0.dropFirst())! < Int($1.dropFirst())! })
        }
        #expect(records.allSatisfy { r in r.headers.contains { $0.key == "type" && $0.value == "created" } })
    }

    @Test func unreachableClusterIsOneLineForTheRelay() async throws {
        let dir = TempDir()
        let db = try await Self.outbox(dir, count: 1)
        let r = try await WharfProcess.run(["outbox", "relay", "--db", db, "--bootstrap", "127.0.0.1:1"])
        #expect(r.status != 0 && r.stderr.contains("cannot reach 127.0.0.1:1") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(try await OutboxCLITests.statusJSON(db)["pending"] == 1)
    }

    @Test func theAttachedDashboardRelaysAnApplicationOutboxIntoTheCluster() async throws {
        let dir = TempDir()
        let db = try await Self.outbox(dir, count: 5)
        let server = try KafkaListenerTests.Server()
        defer { _ = server.stop() }
        let tmux = try Tmux(command: [WharfProcess.binary, "--bootstrap", server.bootstrap, "--outbox", db, "--refresh", "500"], width: 120, height: 30)
        try await tmux.send("6")
        var screen = try await tmux.waitFor { $0.contains("Outbox") && OutboxDashboardTmuxTests.row("app.db", in: $0)?.pending == 0 && $0.contains("published 5") }
        let row = try #require(OutboxDashboardTmuxTests.row("app.db", in: screen), "\(screen)")
        #expect(row.state == "running" && row.dead == 0, "\(screen)")
        try await tmux.send("2")
        screen = try await tmux.waitFor { ClusterDashboardTmuxTests.row("outbox.event.invoice", in: $0).map { DashboardTmuxTests.parseCount($0[2]) == 5 } ?? false }
        #expect(ClusterDashboardTmuxTests.row("outbox.event.invoice", in: screen) != nil, "\(screen)")
        try await tmux.send("q")
        screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }
}
