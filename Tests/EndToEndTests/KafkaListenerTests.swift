import Foundation
import Testing
import WharfSpawn

/// Real Kafka clients against `wharf serve`: kcat (librdkafka) produces and consumes through the
/// wire protocol exactly as it would against Apache Kafka.
@Suite(.serialized, .endToEnd) struct KafkaListenerTests {
    /// `wharf serve` on a free loopback port, stopped with SIGTERM when the test ends.
    final class Server {
        let process: ChildProcess
        let dir: TempDir
        var port = 0

        /// `stderr`: a file for the server's log (discarded when nil); `environment` is added to ours.
        init(extra: [String] = [], dataDirectory: TempDir? = nil, environment: [String: String] = [:], stderr: String? = nil) throws {
            dir = dataDirectory ?? TempDir()
            // Groups complete their first rebalance at once unless a test asks for Kafka's delay.
            let delay = extra.contains("--group-initial-rebalance-delay-ms") ? [] : ["--group-initial-rebalance-delay-ms", "0"]
            process = try ChildProcess([WharfProcess.binary, "serve", "--data", dir.path, "--listen", "127.0.0.1:0"] + delay + extra,
                                       environment: ChildProcess.environment(adding: environment),
                                       stdout: .pipe, stderr: stderr.map { .file($0) } ?? .null)
            let line = String(decoding: process.standardOutput!.availableData, as: UTF8.self)
            guard let r = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
                  let p = Int(line[r].split(separator: ":").last ?? "") else {
                throw TmuxError("wharf serve did not report its port: \(line)")
            }
            port = p
        }

        var bootstrap: String { "127.0.0.1:\(port)" }

        func stop() -> Int32 {
            process.terminate()
            return process.waitUntilExit().status
        }
    }

    static func kcat(_ args: [String], stdin: String? = nil) async throws -> WharfProcess.Result {
        try await WharfProcess.run(args, stdin: stdin, executable: "/usr/bin/kcat")
    }

    @Test func kcatProducesAndConsumesKeyedRecordsInEveryCompressionCodec() async throws {
        let server = try Server()
        var r = try await Self.kcat(["-b", server.bootstrap, "-t", "orders", "-K", ":", "-P", "-X", "partitioner=murmur2_random"],
                              stdin: "alice:one\nbob:two\nalice:three\n")
        #expect(r.status == 0, "\(r.stderr)")
        for codec in ["gzip", "snappy", "lz4", "zstd"] {
            r = try await Self.kcat(["-b", server.bootstrap, "-t", "packed", "-P", "-z", codec], stdin: "x-\(codec)\ny-\(codec)\n")
            #expect(r.status == 0, "\(codec): \(r.stderr)")
        }
        r = try await Self.kcat(["-b", server.bootstrap, "-t", "orders", "-C", "-e", "-f", "%p %o %k=%s\n"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines == ["0 0 alice=one", "0 1 bob=two", "0 2 alice=three"])
        r = try await Self.kcat(["-b", server.bootstrap, "-t", "packed", "-C", "-e", "-f", "%s\n"])
        #expect(r.lines == ["x-gzip", "y-gzip", "x-snappy", "y-snappy", "x-lz4", "y-lz4", "x-zstd", "y-zstd"])
        // Offsets by timestamp: the beginning of time is offset 0.
        r = try await Self.kcat(["-b", server.bootstrap, "-Q", "-t", "orders:0:0"])
        #expect(r.stdout.contains("orders [0] offset 0"), "\(r.stdout)")
        #expect(server.stop() == 0)
        // What kcat wrote is what the CLI reads from the same data directory.
        let cli = try await WharfProcess.run(["consume", "orders", "--format", "json", "--data", server.dir.path])
        #expect(cli.lines.count == 3 && cli.stdout.contains(#""key":"alice""#))
        // Batches stored compressed (as librdkafka sent them) read back through Wharf's own CLI.
        let packed = try await WharfProcess.run(["consume", "packed", "--data", server.dir.path])
        #expect(packed.status == 0, "\(packed.stderr)")
        #expect(packed.lines == ["x-gzip", "y-gzip", "x-snappy", "y-snappy", "x-lz4", "y-lz4", "x-zstd", "y-zstd"])
    }

    /// librdkafka's idempotent producer needs InitProducerId and per-producer sequence numbers;
    /// it raises a fatal error (and kcat exits non-zero) on a broker that gets them wrong.
    @Test func kcatIdempotentProducerWritesEveryRecordOnceInOrder() async throws {
        let server = try Server()
        let values = (0..<500).map { "i\($0)" }
        let r = try await Self.kcat(["-b", server.bootstrap, "-t", "idem", "-P", "-X", "enable.idempotence=true", "-X", "acks=all",
                               "-X", "linger.ms=5", "-X", "batch.num.messages=50"], stdin: values.joined(separator: "\n") + "\n")
        #expect(r.status == 0 && !r.stderr.contains("FATAL"), "\(r.stderr)")
        let back = try await Self.kcat(["-b", server.bootstrap, "-t", "idem", "-C", "-e", "-f", "%s\n"])
        #expect(back.lines == values)
        #expect(server.stop() == 0)
    }

    @Test func kcatConsumerGroupCommitsAreVisibleToTheCLI() async throws {
        let server = try Server()
        _ = try await Self.kcat(["-b", server.bootstrap, "-t", "events", "-P"], stdin: (0..<10).map { "e\($0)" }.joined(separator: "\n") + "\n")
        let r = try await Self.kcat(["-b", server.bootstrap, "-G", "kgroup", "-X", "auto.offset.reset=earliest",
                               "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100", "-e", "-f", "%s\n", "events"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines == (0..<10).map { "e\($0)" })
        // The commits are readable over the wire in __consumer_offsets, in Kafka's layout
        // (key v1: i16 version 1, then the group name), as Burrow consumes them.
        let keys = try await Self.kcat(["-b", server.bootstrap, "-t", "__consumer_offsets", "-C", "-e", "-f", "%k\n"])
        #expect(keys.status == 0 && keys.stdout.contains("kgroup") && keys.stdout.contains("events"), "\(keys.stdout)\(keys.stderr)")
        #expect(server.stop() == 0)
        let describe = try await WharfProcess.run(["group", "describe", "kgroup", "--json", "--data", server.dir.path])
        #expect(describe.status == 0, "\(describe.stderr)")
        #expect(describe.stdout.contains(#""totalLag":0"#), "\(describe.stdout)")
    }

    /// Commits made over the wire survive a broker restart, and a reset done with the CLI while
    /// the broker is down is what the Kafka group resumes from.
    @Test func committedOffsetsSurviveARestartAndACLIResetIsWhatTheGroupResumesFrom() async throws {
        let first = try Server()
        let data = first.dir
        _ = try await Self.kcat(["-b", first.bootstrap, "-t", "ledger", "-P"], stdin: (0..<6).map { "r\($0)" }.joined(separator: "\n") + "\n")
        let group = ["-G", "auditors", "-X", "auto.offset.reset=earliest", "-X", "enable.auto.commit=true",
                     "-X", "auto.commit.interval.ms=100", "-e", "-f", "%s\n", "ledger"]
        var r = try await Self.kcat(["-b", first.bootstrap] + group)
        #expect(r.lines == (0..<6).map { "r\($0)" }, "\(r.stderr)")
        #expect(first.stop() == 0)

        // Restart on the same data directory: the group has nothing new to read.
        let second = try Server(dataDirectory: data)
        _ = try await Self.kcat(["-b", second.bootstrap, "-t", "ledger", "-P"], stdin: "r6\n")
        r = try await Self.kcat(["-b", second.bootstrap] + group)
        #expect(r.lines == ["r6"], "the restarted broker forgot the commits: \(r.stdout)")
        #expect(second.stop() == 0)

        // Replay with the CLI, then the Kafka group reads from the reset offset.
        let reset = try await WharfProcess.run(["group", "reset", "auditors", "--topic", "ledger", "--to-offset", "4", "--execute", "--data", data.path])
        #expect(reset.status == 0, "\(reset.stderr)")
        let third = try Server(dataDirectory: data)
        r = try await Self.kcat(["-b", third.bootstrap] + group)
        #expect(r.lines == ["r4", "r5", "r6"], "\(r.stdout)")
        #expect(third.stop() == 0)
    }

    @Test func garbageAndLyingFramesCloseOnlyThatConnection() async throws {
        let server = try Server()
        for junk: [UInt8] in [[0xff, 0xff, 0xff, 0xff], [0x7f, 0xff, 0xff, 0xff, 1, 2], [0, 0, 0, 12, 0, 99, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], Array(repeating: 0x41, count: 64)] {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(server.port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            #expect(ok == 0)
            _ = junk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            var buf = [UInt8](repeating: 0, count: 16)
            var tv = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            // The server closes this connection (read returns 0) rather than answering garbage.
            #expect(recv(fd, &buf, buf.count, 0) <= 0)
            close(fd)
        }
        // And still serves everyone else.
        let r = try await Self.kcat(["-b", server.bootstrap, "-t", "after", "-P"], stdin: "still here\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await Self.kcat(["-b", server.bootstrap, "-t", "after", "-C", "-e", "-f", "%s\n"]).lines == ["still here"])
        #expect(server.stop() == 0)
    }

    /// Mutated copies of a real Metadata v1 request frame (seeded, bounded): whatever the bytes,
    /// the server answers or drops that connection, and keeps serving a real client.
    @Test func liveServerSurvivesMutatedFrames() async throws {
        let server = try Server()
        // size, api_key 3, version 1, correlation 1, client id "fz", topics array of one "t".
        let valid: [UInt8] = [0, 0, 0, 19, 0, 3, 0, 1, 0, 0, 0, 1, 0, 2, 0x66, 0x7a, 0, 0, 0, 1, 0, 1, 0x74]
        var rng = SplitMix64(seed: 0x5eed)
        for _ in 0..<150 {
            var frame = valid
            for _ in 0..<Int(rng.next() % 4 + 1) {
                frame[Int(rng.next() % UInt64(frame.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.next() % 5 == 0 { frame.append(contentsOf: (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }) }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(server.port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            _ = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            shutdown(fd, Int32(SHUT_WR))
            var tv = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var buf = [UInt8](repeating: 0, count: 4096)
            while recv(fd, &buf, buf.count, 0) > 0 {}
            close(fd)
        }
        let r = try await Self.kcat(["-b", server.bootstrap, "-t", "fuzzed", "-P"], stdin: "alive\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await Self.kcat(["-b", server.bootstrap, "-t", "fuzzed", "-C", "-e", "-f", "%s\n"]).lines == ["alive"])
        #expect(server.stop() == 0)
    }

    /// The tightest limits still serve a real client: one request in flight, every request over
    /// the byte cap, a short idle timeout, a small fetch.max.bytes.
    @Test func kcatWorksThroughTheTightestListenerLimits() async throws {
        let server = try Server(extra: ["--max-in-flight-requests", "1", "--max-queued-request-bytes", "1",
                                        "--connections-max-idle-ms", "5000", "--fetch-max-bytes", "1024"])
        let values = (0..<500).map { "record-\($0)-" + String(repeating: "x", count: 40) }
        var r = try await Self.kcat(["-b", server.bootstrap, "-t", "tight", "-P"], stdin: values.joined(separator: "\n") + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await Self.kcat(["-b", server.bootstrap, "-t", "tight", "-C", "-e", "-f", "%s\n"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.lines == values)
        #expect(server.stop() == 0)
    }

    @Test func aBadListenerLimitIsAClearErrorAndANonZeroExit() async throws {
        let cases = [
            (["--max-connections", "0"], "--max-connections must be at least 1"),
            (["--fetch-max-bytes", "3000000000"], "--fetch-max-bytes must be between 1 and 2147483647"),
            (["--socket-request-max-bytes", "4"], "--socket-request-max-bytes must be between 8 and 2147483647"),
            (["--connections-max-idle-ms", "0"], "--connections-max-idle-ms must be at least 1"),
        ]
        for (flags, message) in cases {
            let r = try await WharfProcess.run(["serve", "--data", TempDir().path] + flags)
            #expect(r.status != 0, "\(flags)")
            #expect(r.stderr.contains("Error: \(message)"), "\(flags): \(r.stderr)")
        }
    }

    @Test func aPortInUseIsAClearError() async throws {
        let server = try Server()
        let r = try await WharfProcess.run(["serve", "--listen", server.bootstrap, "--data", TempDir().path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot listen on \(server.bootstrap): address already in use"), "\(r.stderr)")
        #expect(server.stop() == 0)
    }
}

/// The Python Kafka clients CI installs (confluent-kafka with current librdkafka, kafka-python
/// 3, aiokafka): admin create, keyed produce with headers, group consume with commits. A missing
/// client makes the script fail with an ImportError, so this fails rather than skips.
@Suite(.serialized, .endToEnd) struct PythonKafkaClientTests {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/check_clients.py").path
    }

    @Test(arguments: ["confluent", "kafka-python", "aiokafka"])
    func clientRoundTrip(client: String) async throws {
        let server = try KafkaListenerTests.Server()
        let topic = "t-\(client)"
        let r = try await WharfProcess.run([Self.script, client, server.bootstrap, topic], executable: "/usr/bin/env",
                                     prefix: ["python3"])
        #expect(r.status == 0 && r.stdout.contains("OK \(client)"), "\(r.stdout)\n\(r.stderr)")
        #expect(server.stop() == 0)
        // The group's commits landed in the engine: nothing left to read.
        let describe = try await WharfProcess.run(["group", "describe", "g-\(topic)", "--json", "--data", server.dir.path])
        #expect(describe.stdout.contains(#""totalLag":0"#), "\(describe.stdout)\(describe.stderr)")
        let topicJSON = try await WharfProcess.run(["topic", "describe", topic, "--json", "--data", server.dir.path])
        #expect(topicJSON.stdout.components(separatedBy: #""partition":"#).count - 1 == 3, "\(topicJSON.stdout)")
    }
}

/// A small seeded generator so fuzz runs are reproducible.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
