import Foundation
import Testing
import WharfSpawn
import WharfTestSupport

/// The real Azure Service Bus SDK (azure-servicebus 7.15.0, pinned in `.ci/run`) against
/// `wharf serve`'s AMQP listener, with the connection string `serve` prints: the reference's
/// acceptance matrix (§11) row by row, each scenario on a fresh queue. The SDK missing fails
/// the test (the script's import fails).
@Suite(.serialized, .endToEnd) struct ServiceBusSDKTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/servicebus_basic.py").path

    /// `wharf serve` with Kafka and AMQP on free loopback ports; queues created before it starts.
    final class Server {
        let process: ChildProcess
        let dir: TempDir
        var connectionString = ""

        init(queues: [(String, [String])], dataDirectory: TempDir? = nil, extraArguments: [String] = []) async throws {
            dir = dataDirectory ?? TempDir()
            for (name, flags) in queues {
                let r = try await WharfProcess.run(["queue", "create", name, "--data", dir.path] + flags)
                guard r.status == 0 else { throw TmuxError("queue create \(name): \(r.stderr)") }
            }
            process = try ChildProcess([WharfProcess.binary, "serve", "--data", dir.path, "--listen", "127.0.0.1:0",
                                        "--amqp-listen", "127.0.0.1:0"] + extraArguments, stdout: .pipe, stderr: .null)
            let handle = process.standardOutput!
            let printed = try await offThePool { () -> String in
                var text = ""
                while !text.contains("UseDevelopmentEmulator=true;") {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                return text
            }
            guard let line = printed.split(separator: "\n").first(where: { $0.hasPrefix("connection string: ") }) else {
                throw TmuxError("wharf serve printed no connection string: \(printed)")
            }
            connectionString = String(line.dropFirst("connection string: ".count))
        }

        func stop() -> Int32 {
            process.terminate()
            return process.waitUntilExit().status
        }
    }

    static func sdk(_ connectionString: String, _ queue: String, _ scenario: String) async throws -> WharfProcess.Result {
        try await WharfProcess.run([script, connectionString, queue, scenario], executable: "/usr/bin/env", prefix: ["python3"])
    }

    @Test func acceptanceMatrixWithThePythonSDK() async throws {
        // Rows 1-3 and 13; 4-5; 6-7; 8, 9 and 11; 12; 10; 15; 16 (no connection cap); x-opt-partition-key; a batch is all or nothing; 11 with the AutoLockRenewer.
        let queues: [(String, [String])] = [
            ("send-receive-complete", []), ("abandon-deadletter", ["--max-delivery-count", "3"]),
            ("defer-peek-receive-and-delete", []), ("schedule-renew", []), ("sessions", ["--requires-session"]),
            ("ttl", ["--dead-letter-on-expiration"]), ("size", []), ("many-clients", []), ("partition-key", []),
            ("batch-all-or-nothing", []), ("auto-lock-renew", ["--lock-duration", "3s"]),
        ]
        let scenarios = queues.map(\.0)
        let server = try await Server(queues: queues)
        defer { _ = server.stop() }
        #expect(server.connectionString.hasPrefix("Endpoint=sb://127.0.0.1:") && server.connectionString.contains("SharedAccessKeyName=RootManageSharedAccessKey"))
        for scenario in scenarios {
            let r = try await Self.sdk(server.connectionString, scenario, scenario)
            #expect(r.status == 0 && !r.stdout.contains("FAIL"), "\(scenario):\n\(r.stdout)\n\(r.stderr.suffix(3000))")
        }
        #expect(server.stop() == 0)
        // What the SDK completed, dead-lettered and deleted is what the engine holds after restart.
        for queue in scenarios {
            let r = try await WharfProcess.run(["queue", "describe", queue, "--json", "--data", server.dir.path])
            let counts = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            #expect(counts?["activeCount"] as? Int == 0 && counts?["deadLetterCount"] as? Int == 0, "\(queue): \(r.stdout) \(r.stderr)")
        }
    }

    /// Acceptance row 14 (idle for minutes) with the idle-time-out driven short on both sides:
    /// Wharf announces 4 s (a client silent for 8 s is closed), the sender's keep-alive wakes
    /// every second (a prefetch-0 receiver's every 5 s, as in production); both stay connected
    /// and working through 12 s of idleness, and a sender with its keep-alive off is closed (the
    /// SDK reconnects on its next send).
    @Test func anIdleSenderAndReceiverKeepTheirConnectionsPastTheIdleTimeout() async throws {
        let server = try await Server(queues: [("idle", [])], extraArguments: ["--amqp-idle-timeout-ms", "4000"])
        defer { _ = server.stop() }
        let r = try await Self.sdk(server.connectionString, "idle", "idle")
        #expect(r.status == 0 && !r.stdout.contains("FAIL"), "\(r.stdout)\n\(r.stderr.suffix(3000))")
    }

    @Test func aWrongSharedAccessKeyIsRefusedWithTheSDKsAuthenticationError() async throws {
        let server = try await Server(queues: [("q", [])])
        defer { _ = server.stop() }
        let wrong = server.connectionString.replacingOccurrences(
            of: #"SharedAccessKey=[^;]*"#, with: "SharedAccessKey=bm90LXRoZS1rZXk=", options: .regularExpression)
        let r = try await Self.sdk(wrong, "q", "wrong-key")
        #expect(r.status == 0 && r.stdout.contains("ok refused with ServiceBusAuthenticationError"), "\(r.stdout)\n\(r.stderr.suffix(3000))")
    }

    /// `wharf servicebus connection-string` before serving prints the key `serve` then uses; a
    /// key added with `wharf servicebus key add` while serving works at once.
    @Test func keysFromTheCommandLineWorkWhileServing() async throws {
        let dir = TempDir()
        let printed = try await WharfProcess.run(["servicebus", "connection-string", "--data", dir.path])
        #expect(printed.status == 0, "\(printed.stderr)")
        let server = try await Server(queues: [("q", [])], dataDirectory: dir)
        defer { _ = server.stop() }
        let key = { (s: String) in s.split(separator: ";").first { $0.hasPrefix("SharedAccessKey=") } }
        #expect(key(printed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) == key(server.connectionString))
        let added = try await WharfProcess.run(["servicebus", "key", "add", "app", "--data", dir.path])
        #expect(added.status == 0, "\(added.stderr)")
        let appKey = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let conn = server.connectionString
            .replacingOccurrences(of: "SharedAccessKeyName=RootManageSharedAccessKey", with: "SharedAccessKeyName=app")
            .replacingOccurrences(of: #"SharedAccessKey=[^;]*"#, with: "SharedAccessKey=" + appKey, options: .regularExpression)
        let r = try await Self.sdk(conn, "q", "send-one")
        #expect(r.status == 0 && r.stdout.contains("ok sent and received one message"), "\(r.stdout)\n\(r.stderr.suffix(3000))")
        let listed = try await WharfProcess.run(["servicebus", "key", "list", "--data", dir.path])
        #expect(listed.lines == ["RootManageSharedAccessKey", "app"])
    }

    /// Per-key claims: `key add --rights` makes a Send-only and a Listen-only key; each is refused
    /// for the other operation with the SDK's `ServiceBusAuthorizationError`.
    @Test func aListenOnlyKeyCannotSendAndASendOnlyKeyCannotReceive() async throws {
        let dir = TempDir()
        let server = try await Server(queues: [("q", [])], dataDirectory: dir)
        defer { _ = server.stop() }
        func connection(_ name: String, _ rights: String) async throws -> String {
            let added = try await WharfProcess.run(["servicebus", "key", "add", name, "--rights", rights, "--data", dir.path])
            #expect(added.status == 0, "\(added.stderr)")
            return server.connectionString
                .replacingOccurrences(of: "SharedAccessKeyName=RootManageSharedAccessKey", with: "SharedAccessKeyName=" + name)
                .replacingOccurrences(of: #"SharedAccessKey=[^;]*"#, with: "SharedAccessKey=" + added.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                                      options: .regularExpression)
        }
        let sender = try await Self.sdk(try await connection("sender", "Send"), "q", "send-only")
        #expect(sender.status == 0 && !sender.stdout.contains("FAIL"), "\(sender.stdout)\n\(sender.stderr.suffix(3000))")
        let listener = try await Self.sdk(try await connection("listener", "listen"), "q", "listen-only")
        #expect(listener.status == 0 && !listener.stdout.contains("FAIL"), "\(listener.stdout)\n\(listener.stderr.suffix(3000))")
        let bad = try await WharfProcess.run(["servicebus", "key", "add", "x", "--rights", "Read", "--data", dir.path])
        #expect(bad.status != 0 && bad.stderr.contains("--rights"))
    }

    /// A message locked by an SDK receiver when the broker is SIGKILLed is delivered again after
    /// the restart with its properties and its delivery count raised (issue 15, durability). The
    /// receiver stays connected through the kill, so the lock is held when the broker dies (a
    /// receiver that left first would have ended it by disconnecting).
    @Test func aLockHeldWhenTheBrokerIsKilledEndsWithTheBroker() async throws {
        let dir = TempDir()
        let first = try await Server(queues: [("q", [])], dataDirectory: dir)
        let out = dir.path + "-sdk"
        let receiver = try SpawnedProcess(["python3", Self.script, first.connectionString, "q", "send-and-lock"], out: out + ".out", err: out + ".err")
        defer {
            _ = receiver.stop()
            try? FileManager.default.removeItem(atPath: out + ".out")
            try? FileManager.default.removeItem(atPath: out + ".err")
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while !receiver.stdout.contains("holding the lock"), !receiver.stdout.contains("FAIL"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(receiver.stdout.contains("ok received and holding the lock"), "\(receiver.stdout)\n\(receiver.stderr.suffix(2000))")
        first.process.kill()
        first.process.waitUntilExit()
        _ = receiver.stop()
        let second = try await Server(queues: [], dataDirectory: dir)
        defer { _ = second.stop() }
        let r = try await Self.sdk(second.connectionString, "q", "redelivered")
        #expect(r.status == 0 && !r.stdout.contains("FAIL"), "\(r.stdout)\n\(r.stderr.suffix(2000))")
    }

    /// Under `--fsync always`, every message an SDK client was told is sent survives `kill -9` of
    /// the broker: eight azure-servicebus clients send one message at a time at once (their sends
    /// share fdatasyncs, acknowledged off the listener's event loop) until the broker is killed;
    /// after the restart each acknowledged message is in the queue, once. (A kill keeps the page
    /// cache: that the acknowledgement also waits for the fdatasync is shown with the fdatasync
    /// held, `AMQPDurableAnswersTests`, and across power cuts at the engine, `QueuePurgeRequeueCrashTests`.)
    @Test func everyAcknowledgedSendUnderFsyncAlwaysSurvivesKill() async throws {
        let dir = TempDir()
        let first = try await Server(queues: [("q", [])], dataDirectory: dir, extraArguments: ["--fsync", "always"])
        let out = dir.path + "-sdk"
        let senders = try SpawnedProcess(["python3", Self.script, first.connectionString, "q", "send-acknowledged"], out: out + ".out", err: out + ".err")
        defer {
            _ = senders.stop()
            try? FileManager.default.removeItem(atPath: out + ".out")
            try? FileManager.default.removeItem(atPath: out + ".err")
        }
        func acknowledged() -> [String] {
            senders.stdout.split(separator: "\n").filter { $0.hasPrefix("acked ") }.map { String($0.dropFirst("acked ".count)) }
        }
        #expect(await eventually { acknowledged().count >= 400 }, "\(senders.stdout.suffix(500))\n\(senders.stderr.suffix(2000))")
        first.process.kill()
        first.process.waitUntilExit()
        _ = senders.stop()
        let acked = acknowledged()
        let second = try await Server(queues: [], dataDirectory: dir)
        defer { _ = second.stop() }
        let r = try await Self.sdk(second.connectionString, "q", "receive-all")
        let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("ids") }, "\(r.stdout)\n\(r.stderr.suffix(2000))")
        let received = line.split(separator: " ").dropFirst().map(String.init)
        #expect(Set(received).count == received.count, "a message was stored twice")
        let missing = Set(acked).subtracting(received)
        #expect(missing.isEmpty, "\(missing.count) of \(acked.count) acknowledged messages lost: \(missing.sorted().prefix(5))")
        #expect(received.count >= acked.count)
    }
}
