import Foundation
import Logging
import Synchronization
import WharfCore
import WharfEvents
import WharfStorage

/// `wharf bench events`: the embedded `EventStore` API's figures, the same three issue 20 asks
/// of the gRPC listener (BENCHMARKS.md puts them side by side):
/// - append throughput: `events` events of `eventSize` bytes in appends of `batch`, each to one
///   of `streams` streams in turn (expected version any), by `writers` threads at once;
/// - catch-up read throughput: a `$all` catch-up subscription from the start over those events;
/// - append-to-subscriber latency: single-event appends paced at `rate` per second to a stream a
///   live catch-up subscription follows, from just before the append call to the subscriber
///   having the event.
public struct EventStoreWorkload: Sendable {
    public var events: Int
    public var eventSize: Int
    public var batch: Int
    public var streams: Int
    /// Threads appending at once; writer k makes appends k, k + writers, ... (1: one thread).
    public var writers: Int
    public var fsync: FsyncPolicy
    public var latencyEvents: Int
    public var rate: Int

    public init(events: Int, eventSize: Int, batch: Int, streams: Int, writers: Int = 1, fsync: FsyncPolicy, latencyEvents: Int, rate: Int) {
        self.events = events
        self.eventSize = eventSize
        self.batch = batch
        self.streams = streams
        self.writers = writers
        self.fsync = fsync
        self.latencyEvents = latencyEvents
        self.rate = rate
    }
}

public struct EventStoreBenchResult: Encodable, Sendable {
    public var events: Int
    public var eventSize: Int
    public var batch: Int
    public var writers: Int
    public var fsync: String
    public var appendSeconds: Double
    public var appendEventsPerSec: Double
    public var catchUpSeconds: Double
    public var catchUpEventsPerSec: Double
    public var latencyEvents: Int
    public var rate: Int
    public var latencyP50Micros: Double
    public var latencyP99Micros: Double
    public var latencyMaxMicros: Double

    public var lines: [String] {
        [String(format: "events append: %d events of %d B in appends of %d, %d writer(s), fsync %@: %.2f s, %.0f events/s",
                events, eventSize, batch, writers, fsync, appendSeconds, appendEventsPerSec),
         String(format: "events catch-up read ($all from the start): %.2f s, %.0f events/s", catchUpSeconds, catchUpEventsPerSec),
         String(format: "events append-to-subscriber latency at %d events/s (%d events): p50 %.0f us, p99 %.0f us, max %.0f us",
                rate, latencyEvents, latencyP50Micros, latencyP99Micros, latencyMaxMicros)]
    }
}

public enum EventStoreBenchmark {
    public static func measure(_ w: EventStoreWorkload, fsync: String, in directory: String) async throws -> EventStoreBenchResult {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try EventStore.open(dataDirectory: directory, logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }, fsync: w.fsync)
        defer { try? store.close() }
        let payload = [UInt8](repeating: 0x61, count: w.eventSize)

        var start = monotonicNanos()
        try appendAll(w, to: store, payload: payload)
        let appendSeconds = Double(monotonicNanos() - start) / 1e9

        start = monotonicNanos()
        var read = 0
        for try await _ in store.subscribe(to: .all, from: .start, name: "bench catch-up") {
            read += 1
            if read == w.events { break }
        }
        let catchUpSeconds = Double(monotonicNanos() - start) / 1e9

        let latencies = try await latency(store, events: w.latencyEvents, rate: w.rate)
        return EventStoreBenchResult(events: w.events, eventSize: w.eventSize, batch: w.batch, writers: w.writers, fsync: fsync,
                                     appendSeconds: appendSeconds, appendEventsPerSec: Double(w.events) / appendSeconds,
                                     catchUpSeconds: catchUpSeconds, catchUpEventsPerSec: Double(w.events) / catchUpSeconds,
                                     latencyEvents: w.latencyEvents, rate: w.rate,
                                     latencyP50Micros: percentile(latencies, 0.5), latencyP99Micros: percentile(latencies, 0.99),
                                     latencyMaxMicros: latencies.last ?? 0)
    }

    /// The append phase: `w.events` events in appends of `w.batch` to the streams in turn, by
    /// `w.writers` threads of their own (an append blocks its thread until durable).
    static func appendAll(_ w: EventStoreWorkload, to store: EventStore, payload: [UInt8]) throws {
        let appends = (w.events + w.batch - 1) / w.batch
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchGroup()
        for writer in 0..<w.writers {
            done.enter()
            Thread {
                defer { done.leave() }
                for index in stride(from: writer, to: appends, by: w.writers) {
                    let n = min(w.batch, w.events - index * w.batch)
                    let batch = (0..<n).map { _ in EventData(type: "BenchEvent", data: payload) }
                    do { try store.append(stream: "bench-\(index % w.streams)", events: batch, expected: .any) } catch {
                        failure.withLock { $0 = $0 ?? error }
                        return
                    }
                }
            }.start()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Sorted latencies in microseconds: each event carries the monotonic time taken just
    /// before its append call; the subscriber subtracts it from the time it has the event.
    static func latency(_ store: EventStore, events: Int, rate: Int) async throws -> [Double] {
        let stream = "latency-\(UUID().uuidString.prefix(8))"
        let subscriber = Task {
            var out: [Double] = []
            out.reserveCapacity(events)
            for try await e in store.subscribe(to: .stream(stream), from: .start, name: "bench latency") {
                let now = monotonicNanos()
                let sent = e.data.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                out.append(Double(now &- sent) / 1e3)
                if out.count == events { break }
            }
            return out.sorted()
        }
        let interval = 1_000_000_000 / UInt64(max(1, rate))
        let start = monotonicNanos()
        for i in 0..<events {
            let due = start + UInt64(i) * interval
            let now = monotonicNanos()
            if due > now { try await Task.sleep(for: .nanoseconds(Int64(due - now))) }
            var stamp = monotonicNanos()
            let data = withUnsafeBytes(of: &stamp) { [UInt8]($0) } + [UInt8](repeating: 0x61, count: 92)
            try store.append(stream: stream, events: [EventData(type: "LatencyProbe", data: data)], expected: .any)
        }
        return try await subscriber.value
    }
}
