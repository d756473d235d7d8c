import Foundation
import KafkaProtocol
import WharfSpawn

/// The broker being fuzzed: either one this process started (`--spawn`: `wharf serve` on a
/// temporary data directory and a free port, restarted after a crash) or one given by
/// `--target` (watched through a probe only, unless `--pid` names its process).
final class ServerUnderTest {
    let host: String
    private(set) var port: Int
    private let wharf: String?
    private let extraArgs: [String]
    /// Which listener is fuzzed: a spawned server binds AMQP and gRPC on free ports for theirs.
    let fuzzed: FuzzProtocol
    /// The spawned server's AMQP and EventStoreDB gRPC ports, read from its start lines.
    private(set) var amqpPort: Int?
    private(set) var esdbPort: Int?
    /// The key of the connection string the spawned server printed (put-token signs with it).
    private(set) var serviceBus: (keyName: String, key: String)?
    /// The queue a spawned server has for AMQP runs (`wharf queue create` before each start).
    static let fuzzQueue = "fuzz-q"
    let workDir: String?
    private var process: ChildProcess?
    private let watchedPid: Int32?
    /// The highest VmHWM seen over every process this run started or watched, in KiB.
    private(set) var peakRSSKiB = 0

    /// A broker started by us.
    init(spawning wharf: String, extraArgs: [String], fuzzed: FuzzProtocol = .kafka) throws(FuzzError) {
        host = "127.0.0.1"
        port = 0
        self.wharf = wharf
        self.extraArgs = extraArgs
        self.fuzzed = fuzzed
        let dir = NSTemporaryDirectory() + "wharf-fuzz-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        workDir = dir
        watchedPid = nil
        try start()
    }

    /// A broker someone else runs.
    init(target host: String, port: Int, pid: Int32?, fuzzed: FuzzProtocol = .kafka) {
        self.host = host
        self.port = port
        wharf = nil
        extraArgs = []
        self.fuzzed = fuzzed
        workDir = nil
        watchedPid = pid
    }

    var dataDir: String? { workDir.map { $0 + "/data" } }
    var logPath: String? { workDir.map { $0 + "/serve.log" } }
    var canRestart: Bool { wharf != nil }
    var pid: Int32? { process?.pid ?? watchedPid }

    func start() throws(FuzzError) {
        guard let wharf, let workDir, let dataDir, let logPath else { return }
        try? FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        if fuzzed == .amqp { createQueue(wharf: wharf, dataDir: dataDir) }
        let otherListeners = fuzzed == .kafka ? [] : ["--amqp-listen", "127.0.0.1:0", "--esdb-listen", "127.0.0.1:0"]
        let p: ChildProcess
        do {
            p = try ChildProcess([wharf, "serve", "--data", dataDir, "--listen", "127.0.0.1:0"] + otherListeners + extraArgs,
                                 environment: Self.childEnvironment, stdout: .pipe, stderr: .appendingTo(logPath))
        } catch { throw .server("cannot start \(wharf): \(error)") }
        process = p
        let out = p.standardOutput!.fileDescriptor
        // The first line names the bound port: "wharf serving Kafka on 127.0.0.1:PORT (data ...)".
        guard let line = Self.readLine(out, timeoutMs: 30_000),
              let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression),
              let bound = Int(line[range].split(separator: ":").last ?? "") else {
            p.terminate()
            p.waitUntilExit()
            throw .server("wharf serve did not report its port (see \(logPath)); \(workDir)")
        }
        port = bound
        if fuzzed != .kafka { readOtherListeners(out) }
    }

    /// The port of the fuzzed listener: a `--target` is that listener.
    func port(for target: FuzzProtocol) -> Int? {
        guard wharf != nil else { return port }
        switch target {
        case .kafka: return port
        case .amqp: return amqpPort
        case .grpc: return esdbPort
        }
    }

    /// The lines after Kafka's: "wharf serving AMQP (Service Bus) on 127.0.0.1:P", the
    /// connection string, "wharf serving EventStoreDB gRPC on 127.0.0.1:P (...)".
    private func readOtherListeners(_ fd: Int32) {
        amqpPort = nil
        esdbPort = nil
        while let line = Self.readLine(fd, timeoutMs: 3_000) {
            if line.hasPrefix("wharf serving AMQP"), let p = Self.port(in: line) { amqpPort = p }
            if line.hasPrefix("wharf serving EventStoreDB"), let p = Self.port(in: line) { esdbPort = p }
            if line.hasPrefix("connection string: ") {
                var fields: [String: String] = [:]
                for part in line.dropFirst("connection string: ".count).split(separator: ";") {
                    guard let eq = part.firstIndex(of: "=") else { continue }
                    fields[String(part[..<eq])] = String(part[part.index(after: eq)...])
                }
                if let name = fields["SharedAccessKeyName"], let key = fields["SharedAccessKey"] { serviceBus = (name, key) }
            }
            if esdbPort != nil, amqpPort != nil { return }
        }
    }

    private static func port(in line: String) -> Int? {
        guard let range = line.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression) else { return nil }
        return Int(line[range].split(separator: ":").last ?? "")
    }

    /// The queue AMQP runs send to and receive from (an existing one is kept).
    private func createQueue(wharf: String, dataDir: String) {
        let p = try? ChildProcess([wharf, "queue", "create", Self.fuzzQueue, "--data", dataDir],
                                  environment: Self.childEnvironment, stdout: .null, stderr: .null)
        p?.waitUntilExit()
    }

    /// nil while the process runs; else how it ended ("signal 4", "exit 132").
    var termination: String? {
        if let process { return process.termination?.description }
        if let watchedPid, kill(watchedPid, 0) != 0 { return "gone (pid \(watchedPid))" }
        return nil
    }

    /// The environment for the processes we start: Swift's crash backtracer off (unless asked
    /// for), so a trap ends the process at once with its one-line "Fatal error" message instead
    /// of seconds of symbolication that look like a hang.
    static var childEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        if env["SWIFT_BACKTRACE"] == nil { env["SWIFT_BACKTRACE"] = "enable=no" }
        return env
    }

    /// How the process ended, waiting up to `seconds` for it to end (a probe that failed may
    /// have caught it dying); nil if it is still running.
    func termination(waiting seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let how = termination { return how }
            usleep(50_000)
        }
        return termination
    }

    /// The running process's resident set now (VmRSS), in KiB; 0 if unknown.
    func currentRSSKiB() -> Int { statusField("VmRSS:") ?? 0 }

    private func statusField(_ name: String) -> Int? {
        guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }

    /// Reads VmHWM (peak resident set) of the running process and keeps the maximum.
    @discardableResult
    func sampleRSS() -> Int {
        peakRSSKiB = max(peakRSSKiB, statusField("VmHWM:") ?? 0)
        return peakRSSKiB
    }

    /// Kills (SIGKILL) and starts again on the same data; `wipe` starts from an empty
    /// directory (when the data itself makes every start crash).
    func restart(wipe: Bool = false) throws(FuzzError) {
        stop(signal: SIGKILL)
        if wipe, let dataDir { try? FileManager.default.removeItem(atPath: dataDir) }
        try start()
    }

    /// Stops the process we started; returns how it ended.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> String? {
        guard let process else { return nil }
        if process.isRunning {
            sampleRSS()
            process.signal(signal)
        }
        let termination = process.waitUntilExit()
        self.process = nil
        return termination.description
    }

    func removeWorkDir() {
        if let workDir { try? FileManager.default.removeItem(atPath: workDir) }
    }

    /// The last lines the server wrote to stderr (a trap's message is there).
    func logTail(lines: Int = 5) -> String {
        guard let logPath, let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "" }
        let all = text.split(separator: "\n")
        // A trap's own line says what failed; the stack after it says little without symbols.
        let traps = ["Fatal error", "fatal error", "Precondition failed", "Assertion failed"]
        if let fatal = all.last(where: { line in traps.contains { line.contains($0) } }) { return String(fatal) }
        return all.suffix(lines).joined(separator: "\n")
    }

    /// Liveness: a Metadata request from a fresh connection must be answered within the bound.
    func probe(timeoutMs: Int) -> Bool {
        guard let socket = try? FuzzSocket(host: host, port: port, timeoutMs: timeoutMs) else { return false }
        let request = KafkaRequest(header: RequestHeader(requestApiVersion: 1, correlationId: 7, clientId: "wharf-fuzz-probe"),
                                   body: .metadata(MetadataRequest(topics: nil)))
        guard socket.send(request.encodedFrame()) else { return false }
        if case .frame(let payload) = socket.readFrame(), payload.count >= 4 {
            return payload.withUnsafeBytes { Int32(bigEndian: $0.loadUnaligned(as: Int32.self)) } == 7
        }
        return false
    }

    private static func readLine(_ fd: Int32, timeoutMs: Int) -> String? {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        while Date() < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) >= 0 else { return nil }
            guard pfd.revents != 0 else { continue }
            var byte: UInt8 = 0
            guard read(fd, &byte, 1) == 1 else { return nil }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        return nil
    }
}
