import ArgumentParser
import Foundation
import KafkaProtocol
import WharfSpawn

/// `wharf-fuzz replay`: sends each corpus case to a broker and checks that it survived: the
/// process is still there, a fresh connection gets a Metadata answer, peak RSS stayed under the
/// bound, and (with --spawn) that the CLI reading the broker's state over `--bootstrap` does not
/// crash, and that the broker stops cleanly and serves a produce after a restart on that data.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay corpus cases (.bin files or directories) and check the broker survives each.",
        discussion: "With --spawn every case gets a fresh broker and data directory. Exits 1 if any case fails.")

    @OptionGroup var server: ServerOptions
    @Argument(help: "Case files or directories of them.") var paths: [String]
    @Option(name: .customLong("max-rss-mib"), help: "Fail a case if the broker's peak RSS passes this.") var maxRSSMiB = 512
    @Option(name: .customLong("response-timeout-ms"), help: "How long to wait for each response.") var responseTimeoutMs = 5_000
    @Option(name: .customLong("probe-timeout-ms"), help: "A Metadata probe not answered within this is a hang.") var probeTimeoutMs = 5_000

    func run() throws {
        ServerOptions.prepareSignals()
        let files = FuzzCorpus.caseFiles(paths)
        guard !files.isEmpty else { throw ValidationError("no .bin case in \(paths)") }
        var failures = 0
        let shared = server.spawn ? nil : try server.makeServer()
        for file in files {
            let name = (file as NSString).lastPathComponent
            let target = try shared ?? server.makeServer()
            let problems = check(file, on: target)
            if shared == nil {
                target.stop()
                target.removeWorkDir()
            }
            if problems.isEmpty {
                print("PASS \(name) (peak RSS \(target.peakRSSKiB / 1024) MiB)")
            } else {
                failures += 1
                print("FAIL \(name): \(problems.joined(separator: "; "))")
            }
            fflush(nil)
        }
        print("wharf-fuzz replay: \(files.count) cases, \(failures) failed")
        if failures > 0 { throw ExitCode(1) }
    }

    private func check(_ file: String, on target: ServerUnderTest) -> [String] {
        guard let data = FileManager.default.contents(atPath: file) else { return ["cannot read \(file)"] }
        var problems: [String] = []
        send(FuzzCorpus.frames(in: [UInt8](data)), to: target)
        if let how = target.termination { return ["broker died: \(how): \(target.logTail(lines: 3))"] }
        if !target.probe(timeoutMs: probeTimeoutMs) {
            return [target.termination(waiting: 2).map { "broker died: \($0): \(target.logTail(lines: 3))" } ?? "broker hung: no Metadata answer"]
        }
        let peak = target.sampleRSS() / 1024
        if peak > maxRSSMiB { problems.append("peak RSS \(peak) MiB over \(maxRSSMiB) MiB") }
        guard target.canRestart else { return problems }
        problems += cliChecks(target)
        problems += restartCheck(target)
        return problems
    }

    /// Sends each frame and waits for its answer; a connection the broker closes is reopened
    /// for the next frame, as a client would.
    private func send(_ frames: [[UInt8]], to target: ServerUnderTest) {
        var socket: FuzzSocket?
        for frame in frames {
            if socket == nil { socket = try? FuzzSocket(host: target.host, port: target.port, timeoutMs: responseTimeoutMs) }
            guard let s = socket, s.send(frame) else { socket = nil; continue }
            if Self.isAcksZeroProduce(frame) { continue }
            if case .frame = s.readFrame() { continue }
            socket = nil
            if target.termination != nil { return }
        }
    }

    /// A produce with acks=0 gets no answer; reading one would only wait out the timeout.
    private static func isAcksZeroProduce(_ frame: [UInt8]) -> Bool {
        guard frame.count >= 12, let request = try? KafkaRequest.decode(Array(frame.dropFirst(4)), supported: .firstVersion) else { return false }
        return !request.expectsResponse
    }

    /// The CLI reading this broker's state must not crash on what the case stored (committed
    /// offsets, record headers, timestamps).
    private func cliChecks(_ target: ServerUnderTest) -> [String] {
        let bootstrap = "\(target.host):\(target.port)"
        let commands = [["group", "list", "--bootstrap", bootstrap],
                        ["consume", SeedCorpusCommand.topic, "--bootstrap", bootstrap, "--format", "json"]]
        return commands.compactMap { args in
            let outcome = Self.runCLI(server.wharfBinary, args, timeoutSeconds: 30)
            return outcome.map { "`wharf \(args.prefix(2).joined(separator: " "))` \($0)" }
        }
    }

    /// The same reads on the engine, from the stopped broker's data directory.
    private func dataDirectoryChecks(_ target: ServerUnderTest) -> [String] {
        guard let data = target.dataDir else { return [] }
        let commands = [["group", "list", "--data", data], ["consume", SeedCorpusCommand.topic, "--data", data, "--format", "json"]]
        return commands.compactMap { args in
            Self.runCLI(server.wharfBinary, args, timeoutSeconds: 30).map { "`wharf \(args.prefix(2).joined(separator: " ")) --data` \($0)" }
        }
    }

    /// Clean stop (exit 0), restart on the same data, one valid produce, probe.
    private func restartCheck(_ target: ServerUnderTest) -> [String] {
        let how = target.stop(signal: SIGTERM)
        var problems: [String] = []
        if how != "exit 0" { problems.append("clean stop ended with \(how ?? "?"): \(target.logTail(lines: 3))") }
        problems += dataDirectoryChecks(target)
        do { try target.start() } catch { return problems + ["restart failed: \(error)"] }
        let produce = SeedCorpusCommand.produce(SeedCorpusCommand.topic, partition: 0, records: SeedCorpusCommand.validBatch(), correlationId: 99)
        if let socket = try? FuzzSocket(host: target.host, port: target.port, timeoutMs: responseTimeoutMs), socket.send(produce) {
            _ = socket.readFrame()
        }
        if let died = target.termination(waiting: 1) { return problems + ["after restart, a valid produce killed it: \(died): \(target.logTail(lines: 3))"] }
        if !target.probe(timeoutMs: probeTimeoutMs) { problems.append("after restart, no Metadata answer") }
        return problems
    }

    /// nil when the command ended by itself without a signal; else what went wrong.
    static func runCLI(_ wharf: String, _ args: [String], timeoutSeconds: Double) -> String? {
        let p: ChildProcess
        do {
            p = try ChildProcess([wharf] + args, environment: ServerUnderTest.childEnvironment, stdout: .null, stderr: .null)
        } catch { return "could not start: \(error)" }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
            return "did not finish within \(Int(timeoutSeconds)) s"
        }
        switch p.waitUntilExit() {
        case .signaled(let signal): return "died on signal \(signal)"
        case .exited(let code): return code >= 128 ? "exited \(code)" : nil
        }
    }
}
