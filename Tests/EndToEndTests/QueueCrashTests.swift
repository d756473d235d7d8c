import Foundation
import Testing
import WharfSpawn

/// Queue durability through the real binary: a `wharf queue receive --follow` handler is killed
/// with SIGKILL while it holds locks; after a restart nothing is lost, deferred and dead-lettered
/// messages keep their states, and the locks are released (no waiting out the lock duration).
@Suite(.endToEnd) struct QueueCrashTests {
    static func json(_ args: [String]) async throws -> Any {
        let r = try await WharfProcess.run(args + ["--json"])
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    @Test func sigkillWhileHandlingLosesNothingAndReleasesLocksOnRestart() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        let n = 300
        // 2 KB bodies: the pipe to the handler fills after a few dozen messages.
        let pad = String(repeating: "x", count: 2000)
        let bodies = (1...n).map { "job-\(String(1000 + $0).dropFirst())-" + pad }
        // A 5-minute lock: a message found unlocked after the restart was released, not expired.
        #expect(try await WharfProcess.run(["queue", "create", "jobs", "--lock-duration", "5m", "--max-delivery-count", "5"] + d).status == 0)
        #expect(try await WharfProcess.run(["queue", "send", "jobs"] + d, stdin: bodies.joined(separator: "\n") + "\n").status == 0)
        #expect(try await WharfProcess.run(["queue", "receive", "jobs", "--max", "3", "--then", "defer"] + d).status == 0)
        #expect(try await WharfProcess.run(["queue", "receive", "jobs", "--max", "2", "--then", "dead-letter", "--reason", "Poison",
                                      "--description", "bad input"] + d).status == 0)

        // The handler loop prints each message, then completes it. We stop reading its stdout, so
        // it blocks in the middle of a batch with received, locked, unsettled messages.
        let handler = try ChildProcess([WharfProcess.binary, "queue", "receive", "jobs", "--follow", "--max", "10", "--then", "complete", "--json"] + d,
                                       stdout: .pipe, stderr: .null)
        let fd = handler.standardOutput!.fileDescriptor
        // Blocked = output pending and not growing for a second while the process runs. (How many
        // bytes fill a pipe depends on how the kernel packs the writes, so no byte threshold.)
        let deadline = Date().addingTimeInterval(60)
        var pending: Int32 = 0
        var last: Int32 = -1
        var since = Date()
        while Date() < deadline, handler.isRunning {
            _ = ioctl(fd, UInt(FIONREAD), &pending)
            if pending != last { last = pending; since = Date() }
            if pending > 0, Date().timeIntervalSince(since) >= 1 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(pending > 0 && handler.isRunning && Date() < deadline, "the handler did not block: \(pending) bytes pending")
        handler.kill()
        #expect(await handler.exit() == .signaled(SIGKILL))
        let printedLines = String(decoding: await ChildProcess.readToEnd(handler.standardOutput!), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()  // the last line may be cut
        let printed = Set(printedLines.compactMap { line -> String? in
            let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return o?["body"] as? String
        })
        #expect(printed.count >= 10, "\(printed.count) messages printed before the kill")

        // Restart: every message is queued, dead-lettered, or was handled; no lock survived.
        let counts = try await Self.json(["queue", "describe", "jobs"] + d) as! [String: Any]
        #expect(counts["lockedCount"] as? Int == 0, "\(counts)")
        #expect(counts["deferredCount"] as? Int == 3, "\(counts)")
        #expect(counts["deadLetterCount"] as? Int == 2, "\(counts)")
        let queued = try await Self.json(["queue", "peek", "jobs", "--max", "1000"] + d) as! [[String: Any]]
        let dead = try await Self.json(["dlq", "peek", "jobs"] + d) as! [[String: Any]]
        let queuedBodies = Set(queued.compactMap { $0["body"] as? String })
        let deadBodies = Set(dead.compactMap { $0["body"] as? String })
        #expect(queued.count == queuedBodies.count, "no duplicates in the queue")
        #expect(queuedBodies.isDisjoint(with: deadBodies))
        let lost = bodies.filter { !queuedBodies.contains($0) && !deadBodies.contains($0) && !printed.contains($0) }
        #expect(lost.isEmpty, "lost \(lost.count) messages, e.g. \(lost.first?.prefix(9) ?? "")")
        let completed = printed.subtracting(queuedBodies)
        #expect(queued.count + dead.count + completed.count == n)
        #expect(counts["activeCount"] as? Int == n - 3 - 2 - completed.count, "\(counts)")
        #expect(dead.allSatisfy { $0["deadLetterReason"] as? String == "Poison" && $0["deadLetterErrorDescription"] as? String == "bad input" })
        #expect(queued.filter { $0["state"] as? String == "deferred" }.count == 3)

        // The handler prints in sequence order and was blocked writing the next message, which it
        // had received under a 5-minute lock. After the restart that lock is gone: a new receiver
        // gets the message at once. The delivery whose lock died with the process counts (the
        // queue journal records lock grants, QueueJournal.swift), so this is its second.
        let printedSeqs = printedLines.compactMap { line -> Int? in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["sequenceNumber"] as? Int
        }
        #expect(printedSeqs == printedSeqs.sorted(), "the handler prints in order")
        let held = (printedSeqs.max() ?? 0) + 1
        let heldMessage = queued.first { $0["sequenceNumber"] as? Int == held }
        #expect(heldMessage?["state"] as? String == "active", "\(heldMessage ?? [:])")
        let again = try await Self.json(["queue", "receive", "jobs", "--then", "complete"] + d) as! [[String: Any]]
        #expect(again.first?["sequenceNumber"] as? Int == held, "\(again.first ?? [:])")
        #expect(again.first?["deliveryCount"] as? Int == 2, "\(again.first ?? [:])")
        let after = try await Self.json(["queue", "describe", "jobs"] + d) as! [String: Any]
        #expect(after["activeCount"] as? Int == (counts["activeCount"] as? Int ?? 0) - 1, "\(after)")
    }

    @Test func followStopsCleanlyOnSigtermAfterHandlingWhatArrived() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        #expect(try await WharfProcess.run(["queue", "create", "jobs"] + d).status == 0)
        #expect(try await WharfProcess.run(["queue", "send", "jobs"] + d, stdin: "a\nb\nc\n").status == 0)
        let handler = try DurabilityTests.RunningProducer(["queue", "receive", "jobs", "--follow", "--then", "complete"] + d)
        #expect(try await handler.readLines(3).map { $0.split(separator: "\t").last.map(String.init) } == ["a", "b", "c"])
        handler.process.terminate()
        #expect(await handler.process.exit() == .exited(0))
        let counts = try await Self.json(["queue", "describe", "jobs"] + d) as! [String: Any]
        #expect(counts["activeCount"] as? Int == 0 && counts["lockedCount"] as? Int == 0, "\(counts)")
    }
}
