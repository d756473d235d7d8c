import Foundation
import KafkaProtocol
import WharfCore

/// The fuzz loop: generate, mutate, send, read, watch the server.
struct FuzzSession {
    struct Settings {
        var seconds: Double
        /// Stop after this many frames, if `seconds` has not passed first.
        var maxFrames: Int?
        var seed: UInt64
        var corpus: String?
        var mutationRate = 0.05
        var frameMutationRate = 0.15
        var framesPerConnection = 64
        var probeEvery = 50
        var probeTimeoutMs = 5_000
        var responseTimeoutMs = 500
        var quiet = false
        /// A server whose resident set passes this is a failure (memory blow-up is a DoS too);
        /// its frames are saved and it is restarted.
        var maxRSSMiB: Int?
        var maxRequestBytes = 1 << 20
        var historyFrames = 1_000
    }

    let server: ServerUnderTest
    let settings: Settings
    private var stats = FuzzStatistics()
    private var values: FuzzValues
    private var generator: RequestGenerator
    private var connection: FuzzSocket?
    /// The frames sent on the current connection: what a crash report saves.
    private var connectionFrames: [[UInt8]] = []
    private var correlationId: Int32 = 0
    /// The last frames sent on any connection, oldest first: when a crash needs state that
    /// earlier connections built (a join still running on a dropped connection), the single
    /// connection's frames do not reproduce it, and this history is saved beside them.
    private var history: [[UInt8]] = []
    /// Set when the server is gone for good (a target that died, a restart that failed).
    private var stopped = false

    init(server: ServerUnderTest, settings: Settings) {
        self.server = server
        self.settings = settings
        values = FuzzValues(seed: settings.seed, mutationRate: settings.mutationRate)
        generator = RequestGenerator(now: Int64(Date().timeIntervalSince1970 * 1000))
    }

    /// Every (API, version) the server advertises and this codec can encode.
    func advertised() throws(FuzzError) -> [(ApiKey, Int16)] {
        let socket = try FuzzSocket(host: server.host, port: server.port, timeoutMs: settings.probeTimeoutMs)
        let request = KafkaRequest(header: RequestHeader(requestApiVersion: 0, correlationId: 1, clientId: "wharf-fuzz"), body: .apiVersions(ApiVersionsRequest()))
        guard socket.send(request.encodedFrame()), case .frame(let payload) = socket.readFrame(),
              case .apiVersions(let response)? = try? KafkaResponse.decode(payload, apiKey: .apiVersions, version: 0).body else {
            throw .server("no ApiVersions answer from \(server.host):\(server.port)")
        }
        var pairs: [(ApiKey, Int16)] = []
        for entry in response.apiKeys {
            guard let key = ApiKey(rawValue: entry.apiKey), entry.minVersion <= entry.maxVersion else { continue }
            for version in entry.minVersion...entry.maxVersion where key.schemaVersions.contains(version) { pairs.append((key, version)) }
        }
        return pairs
    }

    mutating func run() throws(FuzzError) -> FuzzStatistics {
        let pairs = try advertised()
        guard !pairs.isEmpty else { throw .server("the server advertises no API") }
        let start = Date()
        var nextProbe = settings.probeEvery
        while !stopped, Date().timeIntervalSince(start) < settings.seconds, stats.frames < settings.maxFrames ?? .max {
            // Cover every advertised (API, version) in turn, then draw them at random.
            let (key, version) = stats.frames < pairs.count ? pairs[stats.frames] : values.random.pick(pairs)
            sendOne(key, version)
            if let how = server.termination {
                crashed(how, key: key, version: version)
            } else if stats.frames >= nextProbe {
                nextProbe = stats.frames + settings.probeEvery
                let before = server.peakRSSKiB
                if server.sampleRSS() - before > 64 << 10 {
                    log("peak RSS \(before >> 10) -> \(server.peakRSSKiB >> 10) MiB by frame \(stats.frames) (last: \(key) v\(version), mutated: \(values.mutated.joined(separator: " ")))")
                }
                if let limit = settings.maxRSSMiB, server.currentRSSKiB() > limit << 10 {
                    overMemory(limit: limit, key: key, version: version)
                } else if !server.probe(timeoutMs: settings.probeTimeoutMs) {
                    if let how = server.termination(waiting: 2) { crashed(how, key: key, version: version) } else { hung(key: key, version: version) }
                }
            }
        }
        server.sampleRSS()
        stats.peakRSSKiB = server.peakRSSKiB
        stats.seconds = Date().timeIntervalSince(start)
        return stats
    }

    private mutating func sendOne(_ key: ApiKey, _ version: Int16) {
        values.mutated = []
        generator.now = Int64(Date().timeIntervalSince1970 * 1000)
        guard let body = generator.body(key, &values) else { return }
        correlationId = correlationId == .max ? 0 : correlationId + 1
        let header = RequestHeader(requestApiVersion: version, correlationId: correlationId, clientId: values.nullableString("clientId", "wharf-fuzz"))
        let request = KafkaRequest(header: header, body: body)
        var payload = request.encodedPayload()
        // Nested duplicate arrays multiply (2,000 topics of 2,000 partitions): keep requests to
        // what a client might plausibly send, so a large answer means amplification, not size.
        guard payload.count <= settings.maxRequestBytes else { return }
        var expectsResponse = request.expectsResponse
        if values.random.chance(settings.frameMutationRate) {
            let (damaged, kind) = FrameMutator.mutate(payload, &values.random)
            payload = damaged
            values.mutated.append("frame:\(kind.rawValue)")
            stats.frameMutations += 1
            expectsResponse = true
        }
        var frame = KafkaFrameDecoder.frame(payload)
        // Rarely, a size prefix that lies: the connection is unusable after it.
        let lyingSize = values.random.chance(0.005)
        if lyingSize {
            frame.setBigEndian(values.random.pick([Int32.min, -1, 0, 3, Int32.max, Int32(truncatingIfNeeded: payload.count + 100)]), at: 0)
        }
        if connection == nil || connectionFrames.count >= settings.framesPerConnection { reconnect() }
        guard let socket = connection else { return }
        connectionFrames.append(frame)
        history.append(frame)
        if history.count > settings.historyFrames { history.removeFirst(history.count - settings.historyFrames) }
        stats.frames += 1
        stats.perApi[key, default: 0] += 1
        guard socket.send(frame) else { return dropConnection(closedByServer: true) }
        if lyingSize { return dropConnection(closedByServer: false) }
        guard expectsResponse else { return }
        // A join may wait for a rebalance by design: do not spend the run waiting for it.
        socket.setTimeout(ms: key == .joinGroup || key == .syncGroup ? 50 : settings.responseTimeoutMs)
        switch socket.readFrame() {
        case .frame: break
        case .timedOut:
            stats.unanswered[key, default: 0] += 1
            dropConnection(closedByServer: false)  // a long poll or a join waiting for a rebalance
        case .closed: dropConnection(closedByServer: true)
        }
    }

    private mutating func reconnect() {
        connection = nil
        connectionFrames = []
        connection = try? FuzzSocket(host: server.host, port: server.port, timeoutMs: settings.responseTimeoutMs)
        if connection != nil { stats.connections += 1 }
    }

    private mutating func dropConnection(closedByServer: Bool) {
        if closedByServer { stats.closedByServer += 1 }
        connection = nil
    }

    private mutating func crashed(_ how: String, key: ApiKey, version: Int16) {
        let what = "\(how) after frame \(stats.frames) (\(key) v\(version), mutated: \(values.mutated.joined(separator: " ")))"
        let saved = save(kind: "crash", what: what + "\n" + server.logTail())
        stats.crashes.append(what)
        log("CRASH \(what)\n\(server.logTail())\nsaved: \(saved ?? "-")")
        recover()
    }

    private mutating func overMemory(limit: Int, key: ApiKey, version: Int16) {
        let what = "resident set \(server.currentRSSKiB() >> 10) MiB over \(limit) MiB after frame \(stats.frames) (\(key) v\(version), mutated: \(values.mutated.joined(separator: " ")))"
        let saved = save(kind: "memory", what: what)
        stats.memory.append(what)
        log("MEMORY \(what)\nsaved: \(saved ?? "-")")
        recover()
    }

    private mutating func hung(key: ApiKey, version: Int16) {
        let what = "no Metadata answer within \(settings.probeTimeoutMs) ms after frame \(stats.frames) (\(key) v\(version))"
        let saved = save(kind: "hang", what: what)
        stats.hangs.append(what)
        log("HANG \(what)\nsaved: \(saved ?? "-")")
        recover()
    }

    private func save(kind: String, what: String) -> String? {
        guard let corpus = settings.corpus else { return nil }
        let name = "\(kind)-seed\(settings.seed)-frame\(stats.frames)"
        _ = FuzzCorpus.save(frames: history, note: "seed \(settings.seed): the last \(history.count) frames on all connections before: \(what)\n",
                            name: name + "-history", in: corpus)
        return FuzzCorpus.save(frames: connectionFrames, note: "seed \(settings.seed): \(what)\n", name: name, in: corpus)
    }

    /// Restarts a spawned server on its data; if the data makes it die again at once (a crash
    /// loop), on an empty directory. A `--target` server cannot be restarted: stop the run.
    private mutating func recover() {
        connection = nil
        connectionFrames = []
        history = []
        server.sampleRSS()
        guard server.canRestart else {
            log("the target cannot be restarted by the fuzzer; stopping")
            return stopped = true
        }
        do {
            try server.restart()
            if server.probe(timeoutMs: settings.probeTimeoutMs) { return }
            stats.crashes.append("crash loop: the restarted server does not answer (\(server.termination ?? "running"))")
            log("restart on the same data failed; wiping the data directory")
            try server.restart(wipe: true)
        } catch {
            log("cannot restart: \(error)")
            stopped = true
        }
    }

    private func log(_ message: String) {
        if !settings.quiet { FileHandle.standardError.write(Data((message + "\n").utf8)) }
    }
}
