import Foundation
import Testing
import WharfTestSupport

/// The dashboard on a data directory and `wharf demo` serve Service Bus (AMQP) and EventStoreDB
/// (gRPC) clients beside Kafka's, as `serve` does: the real azure-servicebus and kurrentdbclient
/// connect (pinned in `.ci/run`; missing, the script's import fails the test), and the header
/// counts their connections beside Kafka's.
@Suite(.serialized, .endToEnd) struct DashboardListenersTmuxTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/hold_connections.py").path

    /// The header's `amqp: 127.0.0.1:41234 · 1 client` as (port, clients).
    static func listener(_ name: String, in screen: String) -> (port: Int, clients: Int)? {
        let pattern = try! NSRegularExpression(pattern: "\(name): 127\\.0\\.0\\.1:(\\d+) · (\\d+) client")
        let range = NSRange(screen.startIndex..., in: screen)
        guard let m = pattern.firstMatch(in: screen, range: range), let port = Range(m.range(at: 1), in: screen),
              let clients = Range(m.range(at: 2), in: screen) else { return nil }
        return (Int(screen[port]) ?? 0, Int(screen[clients]) ?? 0)
    }

    static let listenFlags = ["--kafka-listen", "127.0.0.1:0", "--amqp-listen", "127.0.0.1:0", "--esdb-listen", "127.0.0.1:0"]

    @Test func dashboardServesServiceBusAndEventStoreClients() async throws {
        let dir = TempDir()
        let created = try await WharfProcess.run(["queue", "create", "held", "--data", dir.path])
        #expect(created.status == 0, "\(created.stderr)")
        let tmux = try Tmux(command: [WharfProcess.binary, "dashboard", "--data", dir.path] + Self.listenFlags, width: 240)
        try await Self.connectAndCount(tmux: tmux, dataDirectory: dir.path, queue: "held", peek: false)
        try await tmux.send("q")
        _ = try await tmux.waitFor { $0.contains("[exit 0]") }
    }

    @Test func demoServesServiceBusAndEventStoreClients() async throws {
        let tmux = try Tmux(command: [WharfProcess.binary, "demo"] + Self.listenFlags, width: 240)
        let screen = try await tmux.waitFor { $0.contains("demo · ") && Self.listener("amqp", in: $0) != nil }
        // The demo's data directory, named in the header, holds the key its connection string needs.
        let line = screen.split(separator: "\n").first { $0.contains("demo · ") }.map(String.init) ?? ""
        let directory = line.components(separatedBy: "demo · ").last?.split(separator: " ").first.map(String.init) ?? ""
        #expect(directory.contains("wharf-demo-"), "\(screen)")
        // Only peeked: the demo's own handler consumes `emails`.
        try await Self.connectAndCount(tmux: tmux, dataDirectory: directory, queue: "emails", peek: true)
        try await tmux.send("q")
        _ = try await tmux.waitFor { $0.contains("[exit 0]") }
    }

    /// Reads the bound ports from the header, connects one client of each protocol and holds
    /// them, and waits for the header to count one client on each; then both disconnect.
    static func connectAndCount(tmux: Tmux, dataDirectory: String, queue: String, peek: Bool) async throws {
        var screen = try await tmux.waitFor { listener("amqp", in: $0) != nil && listener("grpc", in: $0) != nil }
        #expect(screen.contains("kafka: 127.0.0.1:") && listener("amqp", in: screen)?.clients == 0
                && listener("grpc", in: screen)?.clients == 0, "the header shows three idle listeners: \(screen)")
        guard let amqp = listener("amqp", in: screen), let grpc = listener("grpc", in: screen) else { return }
        let keys = try await WharfProcess.run(["servicebus", "connection-string", "--data", dataDirectory, "--amqp-listen", "127.0.0.1:\(amqp.port)"])
        let connectionString = keys.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(keys.status == 0 && connectionString.hasPrefix("Endpoint=sb://127.0.0.1:\(amqp.port)"), "\(keys.stdout) \(keys.stderr)")
        let out = NSTemporaryDirectory() + "hold-\(UUID().uuidString.prefix(8))"
        let client = try SpawnedProcess(["python3", script, connectionString, queue, "esdb://127.0.0.1:\(grpc.port)?tls=false"] + (peek ? ["--peek"] : []),
                                        out: out + ".out", err: out + ".err")
        defer {
            _ = client.stop()
            try? FileManager.default.removeItem(atPath: out + ".out")
            try? FileManager.default.removeItem(atPath: out + ".err")
        }
        let deadline = Date().addingTimeInterval(60)
        while !client.stdout.contains("holding"), !client.stdout.contains("FAIL"), Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(client.stdout.contains("holding"), "\(client.stdout)\n\(client.stderr.suffix(3000))")
        screen = try await tmux.waitFor { listener("amqp", in: $0)?.clients == 1 && listener("grpc", in: $0)?.clients == 1 }
        #expect(listener("amqp", in: screen)?.clients == 1 && listener("grpc", in: screen)?.clients == 1, "\(screen)")
        _ = client.stop()
        screen = try await tmux.waitFor { listener("amqp", in: $0)?.clients == 0 && listener("grpc", in: $0)?.clients == 0 }
        #expect(listener("amqp", in: screen)?.clients == 0 && listener("grpc", in: screen)?.clients == 0, "the header counts the disconnects: \(screen)")
    }
}
