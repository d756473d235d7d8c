import Foundation

/// The fuzz loop for the AMQP and gRPC listeners: one generated connection at a time (a valid
/// exchange cut short and mutated), sent whole, then read until the server closes or goes
/// quiet; the server is watched as in Kafka runs (exit status, a liveness probe from a fresh
/// connection, peak and current RSS), and what preceded a failure is saved to the corpus.
struct ScriptFuzzSession {
    let server: ServerUnderTest
    let settings: FuzzSession.Settings
    let target: FuzzProtocol
    private var values: FuzzValues
    private var stats = FuzzStatistics()
    /// The last connections sent, oldest first: saved beside the one that failed.
    private var history: [[UInt8]] = []
    private var stopped = false

    init(server: ServerUnderTest, settings: FuzzSession.Settings, target: FuzzProtocol) {
        self.server = server
        self.settings = settings
        self.target = target
        values = FuzzValues(seed: settings.seed, mutationRate: settings.mutationRate)
    }

    mutating func run() throws(FuzzError) -> FuzzStatistics {
        guard server.port(for: target) != nil else { throw .server("the server does not serve \(target.rawValue)") }
        guard server.probe(target, timeoutMs: settings.probeTimeoutMs) else { throw .server("no \(target.rawValue) answer from the server") }
        let start = Date()
        var nextProbe = settings.probeEvery
        while !stopped, Date().timeIntervalSince(start) < settings.seconds, stats.frames < settings.maxFrames ?? .max {
            values.mutated = []
            let script = generate()
            let last = send(script)
            if let how = server.termination {
                crashed(how, step: last, script)
            } else if stats.connections >= nextProbe {
                nextProbe = stats.connections + settings.probeEvery
                server.sampleRSS()
                if let limit = settings.maxRSSMiB, server.currentRSSKiB() > limit << 10 {
                    failed("memory", "resident set \(server.currentRSSKiB() >> 10) MiB over \(limit) MiB", step: last, script) { $0.memory.append($1) }
                } else if !server.probe(target, timeoutMs: settings.probeTimeoutMs) {
                    if let how = server.termination(waiting: 2) {
                        crashed(how, step: last, script)
                    } else {
                        failed("hang", "no \(target.rawValue) answer within \(settings.probeTimeoutMs) ms", step: last, script) { $0.hangs.append($1) }
                    }
                }
            }
        }
        server.sampleRSS()
        stats.peakRSSKiB = server.peakRSSKiB
        stats.seconds = Date().timeIntervalSince(start)
        return stats
    }

    private mutating func generate() -> ConnectionScript {
        switch target {
        case .amqp:
            let credentials = server.serviceBus ?? (keyName: "RootManageSharedAccessKey", key: "")
            return AMQPScripts(host: server.host, keyName: credentials.keyName, key: credentials.key, queue: ServerUnderTest.fuzzQueue,
                               frameMutationRate: settings.frameMutationRate).script(&values)
        case .grpc, .kafka:
            return H2Scripts(frameMutationRate: settings.frameMutationRate).script(&values)
        }
    }

    /// Sends the script on a fresh connection; returns the last step sent.
    private mutating func send(_ script: ConnectionScript) -> String {
        history.append(script.bytes)
        if history.count > 50 { history.removeFirst() }
        guard let port = server.port(for: target), let socket = try? FuzzSocket(host: server.host, port: port, timeoutMs: settings.responseTimeoutMs) else {
            return "connect"
        }
        stats.connections += 1
        if values.mutated.contains(where: { $0.hasPrefix("frame:") }) { stats.frameMutations += 1 }
        var last = "connect"
        for (step, bytes) in script.chunks {
            stats.frames += 1
            stats.perStep[step, default: 0] += 1
            last = step
            guard socket.send(bytes) else {
                stats.closedByServer += 1
                return last
            }
        }
        // The answers: up to a second, ending early when the server closes or goes quiet.
        socket.setTimeout(ms: 150)
        if socket.readUntil(maxMs: 1_000).closed { stats.closedByServer += 1 }
        return last
    }

    private mutating func crashed(_ how: String, step: String, _ script: ConnectionScript) {
        failed("crash", "\(how) (\(server.logTail()))", step: step, script) { $0.crashes.append($1) }
    }

    private mutating func failed(_ kind: String, _ what: String, step: String, _ script: ConnectionScript,
                                 record: (inout FuzzStatistics, String) -> Void) {
        let description = "\(what) after connection \(stats.connections), step \(step) (mutated: \(values.mutated.joined(separator: " ")))"
        record(&stats, description)
        if let corpus = settings.corpus {
            let name = "\(target.rawValue)-\(kind)-seed\(settings.seed)-connection\(stats.connections)"
            _ = FuzzCorpus.save(frames: history, note: "seed \(settings.seed): the last \(history.count) connections before: \(description)\n",
                                name: name + "-history", in: corpus)
            _ = FuzzCorpus.save(frames: [script.bytes], note: "seed \(settings.seed): \(description)\n", name: name, in: corpus)
        }
        if !settings.quiet { FileHandle.standardError.write(Data("\(kind.uppercased()) \(description)\n".utf8)) }
        history = []
        guard server.canRestart else { return stopped = true }
        do {
            try server.restart()
            if !server.probe(target, timeoutMs: settings.probeTimeoutMs) { try server.restart(wipe: true) }
        } catch {
            stopped = true
        }
    }
}
