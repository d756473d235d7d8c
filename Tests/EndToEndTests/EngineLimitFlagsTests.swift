import Foundation
import Testing

/// Issue 13, "Limits": the engine's limits as flags of `wharf serve` and the dashboard (one
/// declaration, `EngineLimitOptions`), taking effect over the wire and refusing bad values.
@Suite(.serialized, .endToEnd) struct EngineLimitFlagsTests {
    /// Descriptors the process `pid` holds on segment files under `dir`.
    static func openSegmentFiles(pid: Int32, under dir: String) -> Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/" + $0) }
            .filter { $0.hasPrefix(dir + "/") && $0.hasSuffix(".log") }.count
    }

    @Test func limitFlagsTakeEffectOverTheWire() async throws {
        let server = try KafkaListenerTests.Server(extra: ["--max-partitions-per-topic", "3", "--min-segment-bytes", "2048",
                                                           "--max-open-segment-files", "2"])
        let b = ["--bootstrap", server.bootstrap]
        // CreateTopics over 3 partitions or below 2048-byte segments: Kafka's POLICY_VIOLATION (44).
        var r = try await WharfProcess.run(["topic", "create", "wide", "--partitions", "4"] + b)
        #expect(r.status != 0 && r.stderr.contains("at most 3 partitions") && r.stderr.contains("error 44"), "\(r.stderr)")
        r = try await WharfProcess.run(["topic", "create", "tiny", "--segment-bytes", "1024"] + b)
        #expect(r.status != 0 && r.stderr.contains("segment.bytes must be at least 2048") && r.stderr.contains("error 44"), "\(r.stderr)")
        r = try await WharfProcess.run(["topic", "create", "rolled", "--partitions", "1", "--segment-bytes", "2048"] + b)
        #expect(r.status == 0, "\(r.stderr)")
        // Dozens of segments, all read back by a real client; the server keeps two sealed
        // segment files open, plus the active ones (rolled, __consumer_offsets).
        let values = (0..<400).map { "record-\($0)-" + String(repeating: "x", count: 100) }
        r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "rolled", "-P", "-X", "linger.ms=0", "-X", "batch.num.messages=5"],
                                        stdin: values.joined(separator: "\n") + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "rolled", "-C", "-e", "-f", "%s\n"])
        #expect(r.lines == values)
        let segments = try FileManager.default.contentsOfDirectory(atPath: server.dir.path + "/topics/rolled/0").filter { $0.hasSuffix(".log") }
        #expect(segments.count > 10)
        // (Topic segments only: serve also holds the event store's active log for the EventStoreDB listener.)
        #expect(Self.openSegmentFiles(pid: server.process.pid, under: server.dir.path + "/topics") <= 2 + 2)
        #expect(server.stop() == 0)
    }

    @Test func aBadEngineLimitIsAClearErrorAndANonZeroExit() async throws {
        let cases = [
            (["--max-partitions-per-topic", "0"], "--max-partitions-per-topic must be at least 1"),
            (["--max-partitions", "0"], "--max-partitions must be at least 1"),
            (["--min-segment-bytes", "100"], "--min-segment-bytes must be between 1024 and 67108864 (the default segment size)"),
            (["--auto-create-topics-burst=-1"], "--auto-create-topics-burst must not be negative"),
            (["--auto-create-topics-per-minute=-5"], "--auto-create-topics-per-minute must not be negative"),
            (["--group-min-session-timeout-ms", "0"], "--group-min-session-timeout-ms must be at least 1"),
            (["--group-min-session-timeout-ms", "10000", "--group-max-session-timeout-ms", "9000"],
             "--group-max-session-timeout-ms must not be below --group-min-session-timeout-ms (10000)"),
            (["--max-open-segment-files=-1"], "--max-open-segment-files must not be negative"),
        ]
        for command in [["serve"], ["dashboard"]] {
            for (flags, message) in cases {
                let r = try await WharfProcess.run(command + ["--data", TempDir().path] + flags)
                #expect(r.status != 0, "\(command) \(flags)")
                #expect(r.stderr.split(separator: "\n").first == "Error: \(message)"[...], "\(command) \(flags): \(r.stderr)")
            }
        }
        let r = try await WharfProcess.run(["serve", "--data", TempDir().path, "--default-partitions", "5", "--max-partitions-per-topic", "4"])
        #expect(r.status != 0 && r.stderr.contains("Error: --default-partitions must not exceed --max-partitions-per-topic (4)"), "\(r.stderr)")
    }

    @Test func helpShowsEveryEngineLimitWithItsDefault() async throws {
        let defaults = ["--max-partitions-per-topic": "1000", "--max-partitions": "10000", "--min-segment-bytes": "1048576",
                        "--auto-create-topics-burst": "100", "--auto-create-topics-per-minute": "100",
                        "--group-min-session-timeout-ms": "6000", "--group-max-session-timeout-ms": "1800000",
                        "--max-open-segment-files": "128"]
        for command in ["serve", "dashboard"] {
            let help = try await WharfProcess.run([command, "--help"])
            // Help wraps lines: join them, then look for each flag's default after its name.
            let text = help.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            for (flag, value) in defaults {
                guard let at = text.range(of: flag + " <") else {
                    Issue.record("\(command) --help lacks \(flag)")
                    continue
                }
                let rest = text[at.upperBound...]
                let next = rest.range(of: " --")?.lowerBound ?? rest.endIndex
                #expect(rest[..<next].contains("(default: \(value))"), "\(command) \(flag): \(rest[..<next])")
            }
        }
    }
}
