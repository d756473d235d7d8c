import ArgumentParser
import Foundation
import WharfBench
import WharfStorage

extension BenchCommand {
    /// The embedded event store's figures (issue 20), to set beside the gRPC listener's.
    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Event store (embedded API): append throughput, catch-up read throughput, append-to-subscriber latency.")
        @Option(help: "Events to append, then read back.") var events: Int = 1_000_000
        @Option(name: .customLong("event-size"), help: "Data bytes per event.") var eventSize: Int = 100
        @Option(help: "Events per append.") var batch: Int = 100
        @Option(help: "Streams the appends go to, in turn.") var streams: Int = 1000
        @Option(help: "Threads appending at once, each taking every n-th append (group commit under always).") var writers: Int = 1
        @Option(help: "Durability policy: always, interval:<ms>, never.") var fsync: String = "always"
        @Option(name: .customLong("latency-events"), help: "Single-event appends timed to a live subscriber.") var latencyEvents: Int = 5000
        @Option(help: "Paced rate of those appends, per second.") var rate: Int = 1000
        @Option(help: "Directory for the benchmark data (default: a fresh temporary directory, removed afterwards).") var dir: String?
        @Flag(name: .long) var json = false

        func validate() throws {
            guard events > 0, eventSize >= 8, batch > 0, streams > 0, writers > 0, writers <= 1024, latencyEvents > 0, rate > 0 else {
                throw ValidationError("--events, --batch, --streams, --latency-events and --rate must be positive, --writers 1 to 1024, --event-size at least 8")
            }
            _ = try FsyncPolicy(parsing: fsync)
        }

        func run() async throws {
            let w = EventStoreWorkload(events: events, eventSize: eventSize, batch: batch, streams: streams, writers: writers,
                                       fsync: try FsyncPolicy(parsing: fsync), latencyEvents: latencyEvents, rate: rate)
            let fsync = fsync
            let result = try await BenchDirectory.with(dir, name: "wharf-bench-events") { try await EventStoreBenchmark.measure(w, fsync: fsync, in: $0) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            } else {
                result.lines.forEach { print($0) }
            }
        }
    }
}
