import ArgumentParser
import Foundation
import WharfBench
import WharfStorage

extension BenchCommand {
    /// The gRPC listener's figures with a compiled client (issue 20), beside `bench events`.
    struct ESDB: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "esdb",
            abstract: "EventStoreDB gRPC listener with a compiled gRPC client (grpc-swift-2, h2c; --client h2: the reads on swift-nio-http2 directly): append, read, catch-up and append-to-delivery figures.")
        @Option(help: ArgumentHelp("A running listener to measure (wharf serve --esdb-listen); default: one in this process over a fresh event store.",
                                   valueName: "host:port"))
        var connect: MetricsAddress?
        @Option(name: .customLong("server-pid"), help: "With --connect: the server's process id, to report its CPU beside the client's.") var serverPid: Int32?
        @Option(help: "Events to append to one stream, then read back.") var events: Int = 100_000
        @Option(name: .customLong("event-size"), help: "Data bytes per event.") var eventSize: Int = 100
        @Option(help: "Events per append (BatchAppend).") var batch: Int = 100
        @Option(name: .customLong("in-flight"), help: "Appends sent before their answers arrive (1: each waits for its answer).") var inFlight: Int = 1
        @Option(name: .customLong("latency-events"), help: "Single-event appends timed to a subscriber on another connection.") var latencyEvents: Int = 5000
        @Option(help: "Paced rate of those appends, per second.") var rate: Int = 1000
        @Option(help: ArgumentHelp("Client of the reads and catch-up subscriptions: grpc (grpc-swift-2) or h2 (gRPC on swift-nio-http2 directly, the same decoder).",
                                   valueName: "grpc|h2"))
        var client: ESDBGrpcWorkload.ReadClient = .grpc
        @Option(help: "In-process listener only: durability policy of its event store (always, interval:<ms>, never).") var fsync: String = "interval:1000"
        @Option(help: "In-process listener only: directory for its data (default: a fresh temporary directory, removed afterwards).") var dir: String?
        @Flag(name: .long) var json = false

        func validate() throws {
            guard events > 0, eventSize >= 8, batch > 0, inFlight > 0, latencyEvents > 0, rate > 0 else {
                throw ValidationError("--events, --batch, --in-flight, --latency-events and --rate must be positive, --event-size at least 8")
            }
            if serverPid != nil, connect == nil { throw ValidationError("--server-pid needs --connect") }
            _ = try FsyncPolicy(parsing: fsync)
        }

        func run() async throws {
            let w = ESDBGrpcWorkload(events: events, eventSize: eventSize, batch: batch, inFlight: inFlight, latencyEvents: latencyEvents, rate: rate,
                                    readClient: client)
            let result: ESDBGrpcBenchResult
            if let connect {
                result = try await ESDBGrpcBenchmark.measure(w, host: connect.host, port: connect.port, serverPid: serverPid,
                                                             target: "wharf at \(connect.host):\(connect.port)")
            } else {
                let directory = dir ?? (NSTemporaryDirectory() + "wharf-bench-esdb-\(getpid())")
                if dir == nil { try? FileManager.default.removeItem(atPath: directory) }
                defer { if dir == nil { try? FileManager.default.removeItem(atPath: directory) } }
                result = try await ESDBGrpcBenchmark.measureInProcess(w, fsync: try FsyncPolicy(parsing: fsync), fsyncText: fsync, in: directory)
            }
            if json { return try Output.json(result) }
            result.lines.forEach { print($0) }
        }
    }
}

extension ESDBGrpcWorkload.ReadClient: ExpressibleByArgument {}
