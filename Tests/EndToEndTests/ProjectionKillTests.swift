import Foundation
import GRDB
import Testing
import WharfSpawn

/// A `wharf projection rebuild` killed with SIGKILL in the middle: the read model and the
/// checkpoint it committed agree exactly (every applied event counted once, none beyond the
/// checkpoint), and the next rebuild finishes with the right balances.
@Suite(.serialized, .endToEnd) struct ProjectionKillTests {
    static func committed(_ path: String) throws -> (processed: Int64, applied: Int64, target: Int64?)? {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(5)
        return try DatabaseQueue(path: path, configuration: config).read { db -> (Int64, Int64, Int64?)? in
            guard let row = try Row.fetchOne(db, sql: "SELECT processed, rebuild_target FROM wharf_projections WHERE name = 'balances'") else { return nil }
            let applied = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(events), 0) FROM balances") ?? 0
            return (row["processed"], applied, row["rebuild_target"])
        }
    }

    @Test func killedRebuildLeavesCheckpointAndReadModelInStep() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        var expected: [String: Int64] = [:]
        for a in 0..<4 {
            let amounts = (0..<10_000).map { Int64(1 + ($0 * 31 + a) % 997) }
            expected["account-\(a)"] = amounts.reduce(0, +)
            let r = try await WharfProcess.run(["events", "append", "account-\(a)", "--type", "Deposited"] + d,
                                         stdin: amounts.map { #"{"amount":\#($0)}"# }.joined(separator: "\n") + "\n")
            #expect(r.status == 0, "\(r.stderr)")
        }
        try await ProjectionCLITests.runApplication(dir.path)
        let db = dir.path + "/app.sqlite"
        #expect(try Self.committed(db)?.processed == 40_000)

        let p = try ChildProcess([WharfProcess.binary, "projection", "rebuild", "balances", "--yes"] + d, stdout: .null, stderr: .null)
        // Wait until the rebuild has committed some batches but not all, then kill it.
        let deadline = Date().addingTimeInterval(60)
        var seen: (processed: Int64, applied: Int64, target: Int64?)?
        while Date() < deadline {
            if let c = try? Self.committed(db), c.target != nil, c.processed > 0 { seen = c; break }
            try await Task.sleep(for: .microseconds(500))
        }
        p.kill()
        await p.exit()
        #expect(seen != nil, "never saw the rebuild in progress")

        let after = try #require(try Self.committed(db))
        #expect(after.target == 40_000, "the rebuild was interrupted: \(after)")
        #expect(after.processed < 40_000 && after.processed > 0)
        #expect(after.applied == after.processed, "read model and checkpoint disagree: \(after)")

        // The CLI reports the interrupted rebuild; a new one completes it.
        var r = try await WharfProcess.run(["projection", "describe", "balances", "--json"] + d)
        let describe = try ProjectionCLITests.json(r)
        #expect(describe["rebuildTotal"] as? Int == 40_000 && describe["processed"] as? Int == Int(after.processed), "\(r.stdout)")
        r = try await WharfProcess.run(["projection", "rebuild", "balances", "--yes"] + d)
        #expect(r.status == 0 && r.stdout.contains("rebuilt balances: 40000 events applied"), "\(r.stdout)\(r.stderr)")
        #expect(try ProjectionCLITests.readBalances(db) == expected)
        #expect(try Self.committed(db).map { $0.applied == 40_000 && $0.target == nil } == true)
    }
}
