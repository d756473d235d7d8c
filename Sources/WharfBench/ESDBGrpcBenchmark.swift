import Foundation
import GRPCCore
import Logging
import WharfCore
import WharfESDBProtocol
import WharfESDBServer
import WharfEvents
import WharfStorage

/// `wharf bench esdb`: issue 20's three figures through the EventStoreDB gRPC listener with a
/// compiled client (`ESDBBenchClient`), to set beside `wharf bench events` (the embedded API):
/// - append: `events` events of `eventSize` bytes to one stream in appends of `batch` on one
///   BatchAppend call over one connection, each append expecting the previous one's revision
///   (as an application writing a stream does), `inFlight` of them unanswered at most (1: each
///   waits for its answer);
/// - reads of that stream: one Read of all of it, then a catch-up subscription from its start
///   until `caught_up`; then a `$all` catch-up subscription from the start until `caught_up`;
/// - append-to-delivery: single-event appends paced at `rate` per second on the append
///   connection to a stream a catch-up subscription on another connection follows, from just
///   before the append is handed to the client to the subscriber having the event.
public struct ESDBGrpcWorkload: Sendable {
    /// The client of the three reads (append and append-to-delivery use grpc-swift-2 in both).
    public enum ReadClient: String, Sendable, CaseIterable {
        /// grpc-swift-2's client with the hand decoder (`ESDBBenchClient`).
        case grpc
        /// gRPC on swift-nio-http2 directly with the same decoder (`ESDBH2ReadClient`).
        case h2

        var text: String { self == .grpc ? "grpc-swift-2 client" : "h2 client on swift-nio-http2" }
    }

    public var events: Int
    public var eventSize: Int
    public var batch: Int
    public var inFlight: Int
    public var latencyEvents: Int
    public var rate: Int
    public var readClient: ReadClient

    public init(events: Int, eventSize: Int, batch: Int, inFlight: Int, latencyEvents: Int, rate: Int, readClient: ReadClient = .grpc) {
        self.events = events
        self.eventSize = eventSize
        self.batch = batch
        self.inFlight = inFlight
        self.latencyEvents = latencyEvents
        self.rate = rate
        self.readClient = readClient
    }
}

/// A phase's wall time and the CPU the processes used in it, as a share of one core.
public struct ESDBGrpcPhase: Encodable, Sendable {
    public var events: Int
    public var seconds: Double
    public var eventsPerSec: Double
    /// This process (the client; the server too when it runs in-process).
    public var clientCPU: Double
    /// The server's process when measured apart (`--server-pid`).
    public var serverCPU: Double?

    /// CPU time per event, in microseconds: this process's, and the server's when measured apart.
    public var clientMicrosPerEvent: Double { events > 0 ? clientCPU * seconds / Double(events) * 1e6 : 0 }
    public var serverMicrosPerEvent: Double? { serverCPU.map { events > 0 ? $0 * seconds / Double(events) * 1e6 : 0 } }

    var cpuText: String {
        var text = String(format: "this process %.0f%% of a core, %.2f us/event", clientCPU * 100, clientMicrosPerEvent)
        if let serverCPU, let perEvent = serverMicrosPerEvent { text += String(format: "; server %.0f%%, %.2f us/event", serverCPU * 100, perEvent) }
        return text
    }
}

public struct ESDBGrpcBenchResult: Encodable, Sendable {
    public var target: String
    public var eventSize: Int
    public var batch: Int
    public var inFlight: Int
    /// Which client made the three reads (`ESDBGrpcWorkload.ReadClient`).
    public var readClient: String
    public var append: ESDBGrpcPhase
    public var readStream: ESDBGrpcPhase
    public var catchUpStream: ESDBGrpcPhase
    public var catchUpAll: ESDBGrpcPhase
    public var latencyEvents: Int
    public var rate: Int
    public var latencyP50Micros: Double
    public var latencyP99Micros: Double
    public var latencyMaxMicros: Double
    public var latencyPhase: ESDBGrpcPhase

    public var lines: [String] {
        [String(format: "grpc append: %d events of %d B in appends of %d, %d in flight, one connection (%@): %.2f s, %.0f events/s (%@)",
                append.events, eventSize, batch, inFlight, target, append.seconds, append.eventsPerSec, append.cpuText),
         String(format: "grpc read (one Read of the stream, %@): %d events, %.2f s, %.0f events/s (%@)",
                readClient, readStream.events, readStream.seconds, readStream.eventsPerSec, readStream.cpuText),
         String(format: "grpc catch-up subscription (the stream, until caught up, %@): %d events, %.2f s, %.0f events/s (%@)",
                readClient, catchUpStream.events, catchUpStream.seconds, catchUpStream.eventsPerSec, catchUpStream.cpuText),
         String(format: "grpc catch-up subscription ($all from the start, until caught up, %@): %d events, %.2f s, %.0f events/s (%@)",
                readClient, catchUpAll.events, catchUpAll.seconds, catchUpAll.eventsPerSec, catchUpAll.cpuText),
         String(format: "grpc append-to-delivery at %d events/s (%d events, subscriber on another connection): p50 %.0f us, p99 %.0f us, max %.0f us (%@)",
                rate, latencyEvents, latencyP50Micros, latencyP99Micros, latencyMaxMicros, latencyPhase.cpuText)]
    }
}

public struct ESDBGrpcBenchError: Error, CustomStringConvertible {
    public let description: String
}

public enum ESDBGrpcBenchmark {
    typealias Client = ESDBBenchClient

    /// Runs the workload against the listener at `host:port`; `serverPid` is measured apart.
    public static func measure(_ w: ESDBGrpcWorkload, host: String, port: Int, serverPid: Int32?, target: String) async throws -> ESDBGrpcBenchResult {
        let stream = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        let payload = Data(repeating: 0x61, count: w.eventSize)
        return try await Client.connect(host: host, port: port) { client in
            let append = try await phase(events: w.events, serverPid: serverPid) {
                try await appendAll(client, stream: stream, w: w, payload: payload)
            }
            let (read, catchUp, catchUpAll) = try await reads(of: stream, w.readClient, grpc: client, host: host, port: port, serverPid: serverPid)
            guard read.events == w.events, catchUp.events == w.events, catchUpAll.events >= w.events else {
                throw ESDBGrpcBenchError(description: "read \(read.events), caught up with \(catchUp.events) and \(catchUpAll.events) of \(w.events) events")
            }
            var latencies: [Double] = []
            let latency = try await phase(events: w.latencyEvents, serverPid: serverPid) {
                latencies = try await Self.latency(client, host: host, port: port, events: w.latencyEvents, rate: w.rate, size: w.eventSize)
                return w.latencyEvents
            }
            return ESDBGrpcBenchResult(target: target, eventSize: w.eventSize, batch: w.batch, inFlight: w.inFlight, readClient: w.readClient.text,
                                       append: append, readStream: read, catchUpStream: catchUp, catchUpAll: catchUpAll,
                                       latencyEvents: w.latencyEvents, rate: w.rate,
                                       latencyP50Micros: percentile(latencies, 0.5), latencyP99Micros: percentile(latencies, 0.99),
                                       latencyMaxMicros: latencies.last ?? 0, latencyPhase: latency)
        }
    }

    /// Appends in order on one BatchAppend call, `inFlight` unanswered at most; each expects the
    /// revision the one before it leaves (the first: no stream). Returns the events appended.
    static func appendAll(_ client: Client, stream: String, w: ESDBGrpcWorkload, payload: Data) async throws -> Int {
        let appends = (w.events + w.batch - 1) / w.batch
        let batch = w.batch, total = w.events
        @Sendable func request(_ i: Int) -> Client.AppendReq {
            let n = min(batch, total - i * batch)
            let events = [(type: String, data: Data)](repeating: ("BenchEvent", payload), count: n)
            return Client.append(stream, events, expected: i == 0 ? .noStream : .exact(UInt64(i * batch - 1)))
        }
        let opening = min(appends, max(1, w.inFlight))
        return try await client.batchAppend(sending: (0..<opening).map(request)) { send, answers in
            var sent = opening, answered = 0
            for try await answer in answers {
                if let refusal = answer.refusal { throw ESDBGrpcBenchError(description: "append \(answered) refused: \(refusal)") }
                answered += 1
                if answered == appends { break }
                if sent < appends {
                    send.yield(request(sent))
                    sent += 1
                }
            }
            guard answered == appends else { throw ESDBGrpcBenchError(description: "the call ended after \(answered) of \(appends) answers") }
            return total
        }
    }

    /// The three read phases (one Read of `stream`, a catch-up subscription to it, one to `$all`)
    /// with `readClient`; the h2 client gets its own connection, opened before they start.
    static func reads(of stream: String, _ readClient: ESDBGrpcWorkload.ReadClient, grpc: Client, host: String, port: Int,
                      serverPid: Int32?) async throws -> (ESDBGrpcPhase, ESDBGrpcPhase, ESDBGrpcPhase) {
        func three(_ count: (Client.ReadReq.Options) async throws -> Int) async throws -> (ESDBGrpcPhase, ESDBGrpcPhase, ESDBGrpcPhase) {
            let read = try await phase(events: nil, serverPid: serverPid) { try await count(Client.readOptions(stream, subscription: false)) }
            let catchUp = try await phase(events: nil, serverPid: serverPid) { try await count(Client.readOptions(stream, subscription: true)) }
            let catchUpAll = try await phase(events: nil, serverPid: serverPid) { try await count(Client.readOptions(nil, subscription: true)) }
            return (read, catchUp, catchUpAll)
        }
        switch readClient {
        case .grpc:
            return try await three { try await count(grpc, $0) }
        case .h2:
            return try await ESDBH2ReadClient.connect(host: host, port: port) { h2 in
                try await three { try await h2.read($0, into: BenchReadTally()).events }
            }
        }
    }

    /// Events a Read delivers (`BenchReadTally`), through grpc-swift-2.
    static func count(_ client: Client, _ options: Client.ReadReq.Options) async throws -> Int {
        try await client.read(options) { messages in
            var tally = BenchReadTally()
            for try await m in messages where try tally.take(m) { break }
            return tally.events
        }
    }

    /// Sorted append-to-delivery times in microseconds. Each event's data starts with the
    /// monotonic time taken just before its append was handed to the client.
    static func latency(_ appender: Client, host: String, port: Int, events: Int, rate: Int, size: Int) async throws -> [Double] {
        let stream = "latency-\(UUID().uuidString.prefix(8).lowercased())"
        let (ready, isReady) = AsyncStream.makeStream(of: Void.self)
        return try await withThrowingTaskGroup(of: [Double].self) { group in
            group.addTask {
                try await Client.connect(host: host, port: port) { subscriber in
                    try await subscriber.read(Client.readOptions(stream, subscription: true)) { messages in
                        var out: [Double] = []
                        out.reserveCapacity(events)
                        for try await m in messages {
                            switch m.kind {
                            case .caughtUp:
                                isReady.yield()
                            case .event:
                                let now = monotonicNanos()
                                guard let data = m.event?.data, data.count >= 8 else { throw ESDBGrpcBenchError(description: "a probe without its time") }
                                let sent = data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                                out.append(Double(now &- sent) / 1e3)
                                if out.count == events { return out.sorted() }
                            default: continue
                            }
                        }
                        throw ESDBGrpcBenchError(description: "the subscription ended after \(out.count) of \(events) events")
                    }
                }
            }
            group.addTask {
                var waiting = ready.makeAsyncIterator()
                guard await waiting.next() != nil else { return [] }
                let interval = 1_000_000_000 / UInt64(max(1, rate))
                let padding = Data(repeating: 0x61, count: max(0, size - 8))
                try await appender.batchAppend { send, answers in
                    var answered = answers.makeAsyncIterator()
                    let start = monotonicNanos()
                    for i in 0..<events {
                        let due = start + UInt64(i) * interval
                        let now = monotonicNanos()
                        if due > now { try await Task.sleep(for: .nanoseconds(Int64(due - now))) }
                        var stamp = monotonicNanos()
                        let data = withUnsafeBytes(of: &stamp) { Data($0) } + padding
                        send.yield(Client.append(stream, [("LatencyProbe", data)], expected: .any))
                        guard let answer = try await answered.next() else { throw ESDBGrpcBenchError(description: "the append call ended") }
                        if let refusal = answer.refusal { throw ESDBGrpcBenchError(description: "latency append refused: \(refusal)") }
                    }
                }
                return []
            }
            var sorted: [Double] = []
            for try await r in group where !r.isEmpty { sorted = r }
            return sorted
        }
    }

    /// Runs `body` (which returns the events it handled; `events` if given overrides it) and
    /// measures wall time and CPU.
    static func phase(events: Int?, serverPid: Int32?, _ body: () async throws -> Int) async throws -> ESDBGrpcPhase {
        let cpu = ProcessCPU.seconds(pid: nil), server = serverPid.flatMap { ProcessCPU.seconds(pid: $0) }
        let start = monotonicNanos()
        let handled = try await body()
        let seconds = Double(monotonicNanos() - start) / 1e9
        let n = events ?? handled
        let clientShare = ((ProcessCPU.seconds(pid: nil) ?? 0) - (cpu ?? 0)) / seconds
        let serverShare = serverPid.flatMap { pid in server.flatMap { s in ProcessCPU.seconds(pid: pid).map { ($0 - s) / seconds } } }
        return ESDBGrpcPhase(events: n, seconds: seconds, eventsPerSec: Double(n) / seconds, clientCPU: clientShare, serverCPU: serverShare)
    }
}

/// CPU time (user + system) a process has used, from /proc/PID/stat (nil: this process).
enum ProcessCPU {
    static func seconds(pid: Int32?) -> Double? {
        let path = "/proc/\(pid.map(String.init) ?? "self")/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based), here 0-based from state.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
