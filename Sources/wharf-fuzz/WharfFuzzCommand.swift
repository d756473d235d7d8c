import ArgumentParser
import Foundation

/// `wharf-fuzz`: a structure-aware fuzzer for Wharf's Kafka, AMQP and gRPC listeners, and the replay of its
/// regression corpus. A separate executable, not a `wharf` subcommand: it is a test tool that
/// must not ship in the product, it builds without the engine (so a broken server cannot
/// break the harness), and it uses plain blocking sockets to control every byte and boundary.
@main
struct WharfFuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wharf-fuzz",
        abstract: "Fuzz a live Wharf listener (Kafka, AMQP or gRPC); replay and seed the regression corpus.",
        subcommands: [FuzzRunCommand.self, ReplayCommand.self, SeedCorpusCommand.self],
        defaultSubcommand: FuzzRunCommand.self)
}

/// Where the broker is: started by us, or given.
struct ServerOptions: ParsableArguments {
    @Flag(help: "Start `wharf serve` on a temporary data directory and a free port (restarted after a crash).")
    var spawn = false
    @Option(help: ArgumentHelp("A running broker to fuzz instead.", valueName: "host:port"))
    var target: String?
    @Option(help: "With --target: the broker's process id, to watch its exit and peak RSS.")
    var pid: Int32?
    @Option(help: "The wharf binary for --spawn (default: beside wharf-fuzz).")
    var wharf: String?
    @Option(name: .customLong("serve-arg"), parsing: .singleValue, help: "An extra argument for `wharf serve` (repeatable).")
    var serveArgs: [String] = []

    func validate() throws {
        guard spawn != (target != nil) else { throw ValidationError("give exactly one of --spawn and --target") }
        if let target, hostPort(target) == nil { throw ValidationError("--target must be host:port") }
    }

    var wharfBinary: String {
        if let wharf { return wharf }
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("wharf").path
    }

    /// Signals as a shell would leave them for the brokers we start: a test runner blocks
    /// SIGTERM, children inherit the mask, and a broker that never sees SIGTERM cannot be
    /// stopped cleanly. SIGPIPE is ignored here: a broker that closes on us is a result.
    static func prepareSignals() {
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// `fuzzed`: the listener the run fuzzes (a spawned server binds AMQP and gRPC on free ports for theirs).
    func makeServer(fuzzed: FuzzProtocol = .kafka) throws -> ServerUnderTest {
        if spawn { return try ServerUnderTest(spawning: wharfBinary, extraArgs: serveArgs, fuzzed: fuzzed) }
        let (host, port) = hostPort(target ?? "")!
        return ServerUnderTest(target: host, port: port, pid: pid, fuzzed: fuzzed)
    }

    private func hostPort(_ s: String) -> (String, Int)? {
        guard let colon = s.lastIndex(of: ":"), let port = Int(s[s.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        let host = String(s[..<colon])
        return (host.isEmpty || host == "localhost" ? "127.0.0.1" : host, port)
    }
}

struct FuzzRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Send valid requests mutated field by field, byte-damaged frames and junk; watch exit status, liveness and RSS.",
        discussion: "Prints one summary line; exits 1 if the server crashed, hung, or passed --max-rss-mib.")

    @OptionGroup var server: ServerOptions
    @Option(name: .customLong("protocol"), help: ArgumentHelp("Which listener to fuzz: kafka, amqp (Service Bus) or grpc (EventStoreDB over HTTP/2).", valueName: "kafka|amqp|grpc"))
    var fuzzed: FuzzProtocol = .kafka
    @Option(help: "How long to fuzz.") var seconds: Double = 60
    @Option(help: ArgumentHelp("Stop after this many frames (AMQP and gRPC: chunks), if --seconds has not passed first (a run whose work does not depend on the machine's speed).",
                               valueName: "n")) var frames: Int?
    @Option(help: "Random seed (the same seed sends the same frames to the same server state).") var seed: UInt64 = 1
    @Option(help: ArgumentHelp("Where frames that crashed or hung the server are saved.", valueName: "dir")) var corpus: String?
    @Option(name: .customLong("mutation-rate"), help: "Probability that a field takes a hostile value.") var mutationRate = 0.05
    @Option(name: .customLong("frame-mutation-rate"), help: "Probability that an encoded frame is byte-damaged.") var frameMutationRate = 0.15
    @Option(name: .customLong("probe-every"), help: "Frames (AMQP and gRPC: connections) between liveness probes.") var probeEvery = 50
    @Option(name: .customLong("probe-timeout-ms"), help: "A probe not answered within this is a hang.") var probeTimeoutMs = 5_000
    @Option(name: .customLong("max-rss-mib"), help: "Fail (save the frames, restart) when the server's resident set passes this.") var maxRSSMiB: Int?
    @Flag(help: "Only the summary line.") var quiet = false

    func run() throws {
        ServerOptions.prepareSignals()
        let target = try server.makeServer(fuzzed: fuzzed)
        defer {
            target.stop()
            target.removeWorkDir()
        }
        var settings = FuzzSession.Settings(seconds: seconds, seed: seed, corpus: corpus)
        settings.maxFrames = frames
        settings.mutationRate = mutationRate
        settings.frameMutationRate = frameMutationRate
        settings.probeEvery = max(1, probeEvery)
        settings.probeTimeoutMs = probeTimeoutMs
        settings.quiet = quiet
        settings.maxRSSMiB = maxRSSMiB
        let stats: FuzzStatistics
        if fuzzed == .kafka {
            var session = FuzzSession(server: target, settings: settings)
            stats = try session.run()
        } else {
            var session = ScriptFuzzSession(server: target, settings: settings, target: fuzzed)
            stats = try session.run()
        }
        print(stats.summary(seed: seed))
        let tooBig = maxRSSMiB.map { stats.peakRSSKiB / 1024 > $0 } ?? false
        if tooBig { print("peak RSS \(stats.peakRSSKiB / 1024) MiB is over --max-rss-mib \(maxRSSMiB ?? 0)") }
        if stats.failed || tooBig { throw ExitCode(1) }
    }
}
