import Foundation
import Testing
import WharfSpawn
import WharfTestSupport

/// The EventStoreDB / KurrentDB Python clients (kurrentdbclient 1.3.5 and esdbclient 1.1.7,
/// pinned in `.ci/run`) against `wharf serve`'s gRPC listener, with the `esdb://` URI `serve`
/// prints (issue 20). Scenarios are in clients/esdb_streams.py; a client that is not installed
/// fails its import, so the test fails rather than skips.
@Suite(.serialized, .endToEnd) struct EventStoreClientTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/esdb_streams.py").path

    /// `wharf serve` with Kafka and the gRPC listener on free loopback ports, AMQP off.
    final class Server {
        let process: ChildProcess
        let dir: TempDir
        var uri = ""

        init(dataDirectory: TempDir? = nil, extra: [String] = []) async throws {
            dir = dataDirectory ?? TempDir()
            process = try ChildProcess([WharfProcess.binary, "serve", "--data", dir.path, "--listen", "127.0.0.1:0", "--no-amqp",
                                        "--esdb-listen", "127.0.0.1:0"] + extra, stdout: .pipe, stderr: .null)
            let handle = process.standardOutput!
            let printed = try await offThePool { () -> String in
                var text = ""
                while !text.contains("tls=false)") {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                return text
            }
            guard let start = printed.range(of: "(esdb://"), let end = printed.range(of: "tls=false)", range: start.upperBound..<printed.endIndex) else {
                throw TmuxError("wharf serve printed no esdb:// URI: \(printed)")
            }
            uri = String(printed[printed.index(after: start.lowerBound)..<printed.index(before: end.upperBound)])
        }

        func stop() -> Int32 {
            process.terminate()
            return process.waitUntilExit().status
        }
    }

    /// esdbclient needs an older grpcio than kurrentdbclient: `.ci/run` installs it in this venv.
    static let esdbclientPython = "/opt/esdbclient-venv/bin/python3"

    static func client(_ uri: String, _ scenario: String, _ extra: [String] = []) async throws -> WharfProcess.Result {
        let python = extra.contains("--esdbclient") ? esdbclientPython : "python3"
        return try await WharfProcess.run([script, uri, scenario] + extra, executable: "/usr/bin/env", prefix: [python], timeout: .seconds(120))
    }

    static func expectOK(_ r: WharfProcess.Result, _ what: String, _ sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 0 && r.stdout.contains("ok "), "\(what):\n\(r.stdout)\n\(r.stderr.suffix(3000))", sourceLocation: sourceLocation)
    }

    @Test(arguments: ["appends", "reads", "catchup", "deletes", "categories", "event-types", "gossip"])
    func kurrentdbclient(_ scenario: String) async throws {
        let server = try await Server()
        defer { _ = server.stop() }
        #expect(server.uri.hasPrefix("esdb://127.0.0.1:") && server.uri.hasSuffix("?tls=false"), "\(server.uri)")
        Self.expectOK(try await Self.client(server.uri, scenario), scenario)
    }

    /// The older client (esdbclient 1.1.7, EventStoreDB's name) sends the same RPCs; `+discover`
    /// makes it call Gossip first.
    @Test(arguments: ["appends", "reads", "deletes"])
    func esdbclient(_ scenario: String) async throws {
        let server = try await Server()
        defer { _ = server.stop() }
        let discover = server.uri.replacingOccurrences(of: "esdb://", with: "esdb+discover://")
        Self.expectOK(try await Self.client(discover, scenario, ["--esdbclient"]), scenario)
    }

    /// Every code block of kurrentdbclient 1.3.5's own README (from its sdist, which `.ci/run`
    /// downloads), in order, against Wharf; sections for what Wharf does not serve are skipped
    /// by the runner, which lists them.
    @Test func theClientsReadmeRuns() async throws {
        let server = try await Server()
        defer { _ = server.stop() }
        let target = String(server.uri.dropFirst("esdb://".count).prefix { $0 != "?" })
        let runner = URL(fileURLWithPath: Self.script).deletingLastPathComponent().appendingPathComponent("esdb_readme.py").path
        let r = try await WharfProcess.run([runner, "/opt/kurrentdbclient-sdist/kurrentdbclient-1.3.5.tar.gz", target],
                                           executable: "/usr/bin/env", prefix: ["python3"], timeout: .seconds(300))
        #expect(r.status == 0 && r.stdout.contains("0 failed"), "\(r.stdout)\n\(r.stderr.suffix(4000))")
    }

    /// A catch-up subscriber saves its checkpoint; the broker restarts; the subscriber resumes
    /// from the checkpoint and receives exactly the events appended since (positions are never
    /// renumbered).
    @Test func aCatchUpSubscriptionResumesFromItsCheckpointAfterARestart() async throws {
        let dir = TempDir()
        let saved = dir.path + "/checkpoint.json"
        let first = try await Server(dataDirectory: dir)
        Self.expectOK(try await Self.client(first.uri, "checkpoint-write", [saved]), "checkpoint-write")
        #expect(first.stop() == 0)
        let second = try await Server(dataDirectory: dir)
        defer { _ = second.stop() }
        Self.expectOK(try await Self.client(second.uri, "checkpoint-resume", [saved]), "checkpoint-resume")
    }

    /// Under `--fsync always`, eight client threads append at once (their appends share
    /// fdatasyncs); after `kill -9` and a restart every append they were answered for is there,
    /// once and in order.
    @Test func appendsFromManyThreadsUnderFsyncAlwaysSurviveKill() async throws {
        let dir = TempDir()
        let saved = dir.path + "/acked.json"
        let first = try await Server(dataDirectory: dir, extra: ["--fsync", "always"])
        Self.expectOK(try await Self.client(first.uri, "concurrent-write", [saved]), "concurrent-write")
        first.process.kill()
        _ = first.process.waitUntilExit()
        let second = try await Server(dataDirectory: dir, extra: ["--fsync", "always"])
        defer { _ = second.stop() }
        Self.expectOK(try await Self.client(second.uri, "concurrent-verify", [saved]), "concurrent-verify")
    }

    /// An explicit `--esdb-listen` must bind: a taken port stops `serve` with the reason (only the
    /// default address may be skipped with a warning, like the AMQP listener's).
    @Test func anExplicitAddressThatIsTakenFailsTheCommand() async throws {
        let first = try await Server()
        defer { _ = first.stop() }
        let taken = String(first.uri.dropFirst("esdb://".count).prefix { $0 != "?" })
        let dir = TempDir()
        let r = try await WharfProcess.run(["serve", "--data", dir.path, "--listen", "127.0.0.1:0", "--no-amqp", "--esdb-listen", taken],
                                           timeout: .seconds(60))
        #expect(r.status != 0 && r.stderr.contains("cannot listen on \(taken)"), "\(r.status) \(r.stderr)")
    }
}
