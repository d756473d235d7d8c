import Foundation
import Logging
import Synchronization
import Testing
import WharfCore
@testable import WharfEngine
import WharfStorage
import WharfTestSupport

/// Power-loss atomicity of topic fan-out with sends in flight together (`QueueStore+FanOut`'s
/// pipeline), explored with `CrashDisk`: four writers send batches to a topic with three
/// subscriptions (one takes only even messages), every file change journaled. After a power cut
/// at any operation and a reopen (which completes interrupted fan-outs), every message is in
/// every subscription whose rule matches it or in none; under `always`, every message
/// acknowledged before the cut is in all of them.
@Suite(.heavy) struct TopicFanOutPowerCutTests {
    static let subscriptions = ["a", "b", "c"]

    static func config(_ path: String, fsync: FsyncPolicy, faults: FaultInjector? = nil) -> EngineConfig {
        var config = EngineConfig(dataDirectory: path, fsync: fsync)
        config.faults = faults
        return config
    }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    final class Acknowledgements: Sendable {
        let at = Mutex<[Int: Int]>([:])
    }

    /// Where message `n` belongs.
    static func expected(_ n: Int) -> Set<String> { n % 2 == 0 ? ["a", "b", "c"] : ["a", "b"] }

    @Test(arguments: [FsyncPolicy.always, .interval(milliseconds: 1000)])
    func everyMessageIsInAllItsSubscriptionsOrInNoneAfterAPowerCut(fsync: FsyncPolicy) async throws {
        let root = NSTemporaryDirectory() + "wharf-fanout-power-cut-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(1_800_000_000_000)
        do {
            let engine = try Engine.open(config: Self.config(root, fsync: fsync), clock: clock, logger: Self.quietLogger())
            let queues = try engine.openQueues()
            try queues.createTopic("t")
            for s in Self.subscriptions { try queues.createSubscription(topic: "t", name: s) }
            try queues.removeRule(topic: "t", subscription: "c", name: SubscriptionRule.defaultRule.name)
            try queues.addRule(topic: "t", subscription: "c", SubscriptionRule(name: "even", filter: .sql("even IS NOT NULL")))
            try queues.close()
            try engine.close()
        }
        let initial = try CrashDisk.snapshot(root)

        let journal = FileJournal()
        let engine = try Engine.open(config: Self.config(root, fsync: fsync, faults: FaultInjector(journal: journal)), clock: clock,
                                     logger: Self.quietLogger())
        let queues = try engine.openQueues()
        // Message n -> the journal's length when its send was acknowledged.
        let acknowledged = Acknowledgements()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    try await offThePool {
                        for batch in 0..<6 {
                            let numbers = (0..<(1 + (writer + batch) % 3)).map { writer * 100 + batch * 10 + $0 }
                            let sends = queues.write("t", numbers.map { n in
                                OutgoingMessage("m\(n)", messageId: "m\(n)", applicationProperties: n % 2 == 0 ? ["even": "1"] : [:])
                            })
                            try sends.durableBlocking()
                            let at = journal.count
                            acknowledged.at.withLock { for n in numbers { $0[n] = at } }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        try queues.close()
        try engine.close()
        let sent = acknowledged.at.withLock { $0 }
        #expect(sent.count == (0..<4).reduce(0) { total, w in total + (0..<6).reduce(0) { $0 + 1 + (w + $1) % 3 } })

        let operations = journal.operations
        var random = SeededRandom(seed: 18)
        let points = CrashDisk.points(40, of: operations.count, random: &random)
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root, initial: initial, at: points) { k, dir in
            let at = "cut after operation \(k) of \(operations.count)"
            do {
                let engine = try Engine.open(config: Self.config(dir, fsync: fsync), clock: clock, logger: Self.quietLogger())
                defer { try? engine.close() }
                let queues = try engine.openQueues()
                defer { try? queues.close() }
                var holders: [String: Set<String>] = [:]
                for s in Self.subscriptions {
                    for m in try queues.peek(SubscriptionNames.path(topic: "t", subscription: s), max: 1000) {
                        let (added, _) = holders[m.messageId, default: []].insert(s)
                        if !added { violations.append("\(at): \(m.messageId) is twice in \(s)") }
                    }
                }
                for (n, ackedAt) in sent {
                    let held = holders["m\(n)"] ?? []
                    if !held.isEmpty && held != Self.expected(n) {
                        violations.append("\(at): m\(n) is in \(held.sorted()) only, expected all of \(Self.expected(n).sorted()) or none")
                    }
                    if fsync == .always && ackedAt <= k && held.isEmpty {
                        violations.append("\(at): m\(n), acknowledged at operation \(ackedAt), is lost")
                    }
                }
            } catch {
                violations.append("\(at): reopen failed: \(error)")
            }
        }
        #expect(violations.isEmpty, "\(fsync): \(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }
}
