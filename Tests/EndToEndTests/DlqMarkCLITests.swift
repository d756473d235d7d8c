import Foundation
import Testing

/// `wharf dlq mark`: a topic without dead-letter headers declared a dead-letter topic, through
/// the real binary: listed, requeued to its original, cleared.
@Suite(.endToEnd) struct DlqMarkCLITests {
    @Test func markListRequeueAndClear() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        #expect(try await WharfProcess.run(["topic", "create", "orders"] + d).status == 0)
        #expect(try await WharfProcess.run(["topic", "create", "orders.dlq"] + d).status == 0)
        #expect(try await WharfProcess.run(["produce", "orders.dlq"] + d, stdin: "lost order\n").status == 0)
        var list = try await WharfProcess.run(["dlq", "list", "--json"] + d)
        #expect(!list.stdout.contains("orders.dlq"), "not a dead-letter topic before it is declared: \(list.stdout)")
        #expect(list.stdout.contains(#""queues":[]"#) && list.stdout.contains(#""topics":[]"#), "one JSON shape even when empty: \(list.stdout)")

        let mark = try await WharfProcess.run(["dlq", "mark", "orders.dlq", "--original-topic", "orders"] + d)
        #expect(mark.status == 0 && mark.stdout.contains("orders.dlq is now the dead-letter topic of orders"), "\(mark)")
        list = try await WharfProcess.run(["dlq", "list", "--json"] + d)
        #expect(list.stdout.contains("\"configured\"") && list.stdout.contains("orders.dlq"), "\(list.stdout)")

        let requeue = try await WharfProcess.run(["dlq", "requeue", "orders.dlq", "--all"] + d)
        #expect(requeue.status == 0 && requeue.stdout.contains("requeued 1 record from orders.dlq (1 to orders)"), "\(requeue)")
        let consumed = try await WharfProcess.run(["consume", "orders", "--max", "1"] + d)
        #expect(consumed.stdout.contains("lost order"), "\(consumed)")

        #expect(try await WharfProcess.run(["dlq", "mark", "orders.dlq", "--clear"] + d).status == 0)
        list = try await WharfProcess.run(["dlq", "list", "--json"] + d)
        #expect(!list.stdout.contains("orders.dlq"), "\(list.stdout)")
        let bad = try await WharfProcess.run(["dlq", "mark", "orders.dlq"] + d)
        #expect(bad.status != 0 && bad.stderr.contains("give --original-topic TOPIC, or --clear"), "\(bad)")
    }
}

/// The requeue bookmark of a dead-letter topic is a group only to the engine: `group list`
/// hides it unless `--internal`.
@Suite(.endToEnd) struct RequeueBookmarkGroupTests {
    @Test func groupListHidesRequeueBookmarksUnlessInternal() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        #expect(try await WharfProcess.run(["topic", "create", "orders"] + d).status == 0)
        #expect(try await WharfProcess.run(["topic", "create", "orders.dlq"] + d).status == 0)
        #expect(try await WharfProcess.run(["produce", "orders.dlq"] + d, stdin: "x\n").status == 0)
        #expect(try await WharfProcess.run(["dlq", "mark", "orders.dlq", "--original-topic", "orders"] + d).status == 0)
        #expect(try await WharfProcess.run(["dlq", "requeue", "orders.dlq", "--all"] + d).status == 0)
        let plain = try await WharfProcess.run(["group", "list", "--json"] + d)
        #expect(plain.status == 0 && !plain.stdout.contains("__wharf-requeue.orders.dlq"), "\(plain.stdout)")
        let all = try await WharfProcess.run(["group", "list", "--json", "--internal"] + d)
        #expect(all.stdout.contains("__wharf-requeue.orders.dlq"), "\(all.stdout)")
    }
}
