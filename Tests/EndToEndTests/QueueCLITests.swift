import Foundation
import Testing

/// Queues and dead-letter queues through the real binary: every command is its own process, so
/// this also shows that states, delivery counts, dead letters and purges are durable.
@Suite(.endToEnd) struct QueueCLITests {
    @Test func deliveryCountDeadLetteringRequeuePurgeAndUndo() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        func json(_ args: [String]) async throws -> Any {
            let r = try await WharfProcess.run(args + d + ["--json"])
            #expect(r.status == 0, "\(args): \(r.stderr)")
            return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
        }
        #expect(try await WharfProcess.run(["queue", "create", "jobs", "--max-delivery-count", "2"] + d).status == 0)
        #expect(try await WharfProcess.run(["queue", "send", "jobs", "--property", "tenant=acme"] + d, stdin: "one\ntwo\nthree\n").stdout
            .contains("sent 3 messages to jobs: 3 enqueued"))
        // Two abandoned deliveries of "one": the broker dead-letters it with MaxDeliveryCountExceeded.
        _ = try await WharfProcess.run(["queue", "receive", "jobs", "--then", "abandon"] + d)
        _ = try await WharfProcess.run(["queue", "receive", "jobs", "--then", "abandon"] + d)
        // "two" is dead-lettered explicitly with a reason.
        _ = try await WharfProcess.run(["queue", "receive", "jobs", "--then", "dead-letter", "--reason", "Poison", "--description", "bad json"] + d)
        let counts = try await json(["queue", "describe", "jobs"]) as! [String: Any]
        #expect(counts["activeCount"] as? Int == 1 && counts["deadLetterCount"] as? Int == 2, "\(counts)")
        for key in ["name", "activeCount", "lockedCount", "deferredCount", "scheduledCount", "deadLetterCount", "sizeBytes"] {
            #expect(counts[key] != nil, "missing \(key)")
        }

        let dead = try await json(["dlq", "peek", "jobs"]) as! [[String: Any]]
        #expect(dead.map { $0["body"] as? String } == ["one", "two"])
        #expect(dead.map { $0["deadLetterReason"] as? String } == ["MaxDeliveryCountExceeded", "Poison"])
        #expect(dead[1]["deadLetterErrorDescription"] as? String == "bad json")
        #expect(dead[0]["deliveryCount"] as? Int == 2)
        #expect((dead[0]["properties"] as? [String: String])?["tenant"] == "acme")
        for key in ["sequenceNumber", "messageId", "deadLetterReason", "deadLetterErrorDescription", "deliveryCount", "properties", "body"] {
            #expect(dead[0][key] != nil, "missing \(key)")
        }

        // Dry run changes nothing; a filtered requeue moves only the matching message.
        var r = try await WharfProcess.run(["dlq", "requeue", "jobs", "--all", "--dry-run"] + d)
        #expect(r.stdout.contains("would requeue 2 messages from jobs/$deadletterqueue to jobs"))
        r = try await WharfProcess.run(["dlq", "requeue", "jobs", "--reason", "Poison"] + d)
        #expect(r.stdout.contains("requeued 1 message"), "\(r.stdout)\(r.stderr)")
        let back = try await json(["queue", "peek", "jobs"]) as! [[String: Any]]
        let requeued = back.first { $0["body"] as? String == "two" }
        #expect(requeued?["deliveryCount"] as? Int == 0)
        #expect((requeued?["properties"] as? [String: String])?["requeue-count"] == "1")
        #expect(requeued?["deadLetterReason"] == nil || requeued?["deadLetterReason"] is NSNull)

        // Purge needs --yes; undo brings the messages back.
        r = try await WharfProcess.run(["dlq", "purge", "jobs"] + d)
        #expect(r.status != 0 && r.stdout.contains("add --yes"))
        r = try await WharfProcess.run(["dlq", "purge", "jobs", "--yes"] + d)
        #expect(r.stdout.contains("purged 1 message"))
        #expect((try await json(["dlq", "peek", "jobs"]) as! [Any]).isEmpty)
        r = try await WharfProcess.run(["dlq", "undo", "jobs"] + d)
        #expect(r.stdout.contains("restored 1 message"))
        #expect((try await json(["dlq", "peek", "jobs"]) as! [[String: Any]]).map { $0["body"] as? String } == ["one"])
    }

    @Test func queueUserErrorsAreOneLine() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        _ = try await WharfProcess.run(["queue", "create", "q"] + d)
        for (args, expected) in [
            (["queue", "receive", "q"], "peek-lock needs --then"),
            (["queue", "send", "nope", "--body", "x"], "nope"),
            (["queue", "create", "q2", "--lock-duration", "10m"], "lock"),
            (["queue", "create", "q3", "--lock-duration", "soon"], "not a duration"),
            (["dlq", "requeue", "q"], "exactly one of"),
        ] {
            let r = try await WharfProcess.run(args + d)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.contains(expected), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"), "\(args)")
        }
    }
}
