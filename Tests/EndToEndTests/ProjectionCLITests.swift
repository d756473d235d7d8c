import Foundation
import GRDB
import Logging
import Testing
import WharfCore
import WharfEvents
import WharfProjections

/// `wharf projection` through the real binary, over projections an application embedding Wharf
/// ran in the same data directory (in this test process, while no wharf process held it).
@Suite(.serialized, .endToEnd) struct ProjectionCLITests {
    /// What an application does: open the store, run its projections until caught up, exit.
    static func runApplication(_ dir: String) async throws {
        let store = try EventStore.open(dataDirectory: dir, logger: Logger(label: "app") { _ in SwiftLogNoOpLogHandler() })
        let registry = ProjectionRegistry(dataDirectory: dir)
        let balances = try Projection.open(AccountBalances.definition(), databasePath: dir + "/app.sqlite", store: store, registry: registry)
        let orders = try Projection.open(
            ProjectionDefinition(name: "order-count", source: .category("order"),
                                 setUp: { try $0.execute(sql: "CREATE TABLE IF NOT EXISTS orders (n INTEGER)") },
                                 reset: { try $0.execute(sql: "DELETE FROM orders") },
                                 apply: { db, _ in try db.execute(sql: "INSERT INTO orders VALUES (1)") }),
            databasePath: dir + "/app.sqlite", store: store, registry: registry)
        balances.start()
        orders.start()
        // Generous: 40,000 events into SQLite on a loaded 2-core CI machine; caught up returns at once.
        let deadline = Date().addingTimeInterval(120)
        while (balances.status.lag.events > 0 || orders.status.lag.events > 0) && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        await balances.close()
        await orders.close()
        try store.close()
    }

    static func readBalances(_ path: String) throws -> [String: Int64] {
        try DatabaseQueue(path: path).read { try AccountBalances.balances($0) }
    }

    static func json(_ r: WharfProcess.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\(r.stderr)")
    }

    @Test func listDescribeAndRebuild() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        var r = try await WharfProcess.run(["events", "append", "account-1", "--type", "Deposited", "--expected-version", "no-stream"] + d,
                                     stdin: "{\"amount\":100}\n{\"amount\":50}\n")
        #expect(r.status == 0, "\(r.stderr)")
        try await WharfProcess.run(["events", "append", "account-2", "--type", "Deposited"] + d, stdin: "{\"amount\":70}\n")
        try await WharfProcess.run(["events", "append", "account-1", "--type", "Withdrawn", "--expected-version", "1"] + d, stdin: "{\"amount\":30}\n")
        try await WharfProcess.run(["events", "append", "order-1", "--type", "Placed"] + d, stdin: "{}\n")
        r = try await WharfProcess.run(["projection", "list"] + d)
        #expect(r.status == 0 && r.stdout.contains("no projections"), "\(r.stdout)\(r.stderr)")

        try await Self.runApplication(dir.path)

        r = try await WharfProcess.run(["projection", "list", "--json"] + d)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], "\(r.stdout)\(r.stderr)")
        #expect(list.map { $0["name"] as? String } == ["balances", "order-count"])
        #expect(list[0]["state"] as? String == "stopped" && list[0]["processed"] as? Int == 4 && list[0]["lagEvents"] as? Int == 0)
        #expect(list[0]["checkpoint"] as? Int == 3 && list[0]["source"] as? String == "$ce-account")
        #expect(list[1]["processed"] as? Int == 1)

        // Two more account events: the projection's lag is exactly them.
        try await WharfProcess.run(["events", "append", "account-2", "--type", "Withdrawn"] + d, stdin: "{\"amount\":20}\n")
        try await WharfProcess.run(["events", "append", "account-3", "--type", "Deposited"] + d, stdin: "{\"amount\":5}\n")
        var describe = try Self.json(try await WharfProcess.run(["projection", "describe", "balances", "--json"] + d))
        #expect(describe["lagEvents"] as? Int == 2 && describe["head"] as? Int == 6)
        r = try await WharfProcess.run(["projection", "describe", "balances"] + d)
        #expect(r.stdout.contains("lag         2 events") && r.stdout.contains("4 of 6 events applied"), "\(r.stdout)")

        // Rebuild is dangerous: without --yes it only says what it would do.
        r = try await WharfProcess.run(["projection", "rebuild", "balances"] + d)
        #expect(r.status != 0 && r.stderr.contains("replay 6 events of $ce-account") && r.stderr.contains("add --yes"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
        r = try await WharfProcess.run(["projection", "rebuild", "balances", "--yes"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("rebuilding balances:") && r.stdout.contains("rebuilt balances: 6 events applied"), "\(r.stdout)")
        describe = try Self.json(try await WharfProcess.run(["projection", "describe", "balances", "--json"] + d))
        #expect(describe["processed"] as? Int == 6 && describe["lagEvents"] as? Int == 0 && describe["state"] as? String == "stopped")
        let balances = try Self.readBalances(dir.path + "/app.sqlite")
        #expect(balances == ["account-1": 120, "account-2": 50, "account-3": 5])

        // A projection the binary cannot run: the rebuild is requested for its application.
        r = try await WharfProcess.run(["projection", "rebuild", "order-count", "--yes"] + d)
        #expect(r.status == 0 && r.stdout.contains("rebuild of order-count requested"), "\(r.stdout)\(r.stderr)")
        describe = try Self.json(try await WharfProcess.run(["projection", "describe", "order-count", "--json"] + d))
        #expect(describe["rebuildRequested"] as? Bool == true)

        r = try await WharfProcess.run(["projection", "describe", "nope"] + d)
        #expect(r.status != 0 && r.stderr.contains("no projection named 'nope'") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }
}
