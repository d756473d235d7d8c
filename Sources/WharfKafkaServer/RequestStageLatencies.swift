import KafkaProtocol
import WharfCore

/// Where a Produce or a Fetch spends its time inside the listener, stage by stage, so that a slow
/// publish-to-delivery path can be pinned on one hop instead of guessed at (issue 17). Exported as
/// `wharf_kafka_request_stage_duration_seconds` with labels `api` and `stage`:
///
/// - `queued`: from the frame being cut out of the socket's bytes (event loop) to the
///   connection's worker taking it (the hop onto the Swift concurrency pool, plus any earlier
///   request of the connection still starting).
/// - `started`: the broker running it up to its answer or, for a pipelined Produce, up to its
///   batches being written (decode, authorization, the append; a Fetch's long poll included).
/// - `final`: from started to its answer being final (a Produce under `--fsync always` waits for
///   its group commit here; other requests about zero).
/// - `handover`: from final to the answer reaching the event loop (the writer task's hop and
///   any earlier answer of the connection still being written).
/// - `flushed`: from the event loop taking the answer to the socket write completing.
///
/// The wait between an append and a parked Fetch running again is the storage layer's
/// `StorageLatencies.readerWakeup`. Other APIs are not split: `RequestLatencies` covers them.
public final class RequestStageLatencies: Sendable {
    public enum Stage: String, CaseIterable, Sendable {
        case queued, started, final, handover, flushed

        /// Its place in `allCases` (a switch: no search on the hot path).
        var index: Int {
            switch self {
            case .queued: 0
            case .started: 1
            case .final: 2
            case .handover: 3
            case .flushed: 4
            }
        }
    }

    /// The APIs on the record path.
    static let apis: [ApiKey] = [.produce, .fetch]

    /// Whether a frame with `apiKey` is a Produce or a Fetch (or ApiVersions: cheap, in memory).
    /// Metadata is not: it may create a topic.
    static func isRecordPath(_ apiKey: Int16?) -> Bool {
        switch apiKey {
        case ApiKey.produce.rawValue, ApiKey.fetch.rawValue, ApiKey.apiVersions.rawValue: true
        default: false
        }
    }

    private let byKey: [Int16: [LatencyHistogram]]

    public init() {
        byKey = Dictionary(uniqueKeysWithValues: Self.apis.map { ($0.rawValue, Stage.allCases.map { _ in LatencyHistogram() }) })
    }

    /// Records one stage of a request whose frame began with `apiKey`; other APIs are ignored.
    @inline(__always)
    func observe(_ stage: Stage, apiKey: Int16?, from start: UInt64, to end: UInt64) {
        guard let apiKey, let set = byKey[apiKey] else { return }
        set[stage.index].observe(nanos: end >= start ? end &- start : 0)
    }

    /// Every (api, stage) histogram with at least one observation, Produce before Fetch, stages in path order.
    public var histograms: [(api: String, stage: Stage, histogram: LatencyHistogram)] {
        var out: [(api: String, stage: Stage, histogram: LatencyHistogram)] = []
        for key in Self.apis {
            guard let set = byKey[key.rawValue] else { continue }
            for (stage, h) in zip(Stage.allCases, set) where h.snapshot.count > 0 {
                out.append((RequestLatencies.name(key), stage, h))
            }
        }
        return out
    }
}

/// When a request reached each stage boundary (`monotonicNanos()`), carried from its frame being
/// read to its answer being written.
struct RequestTiming: Sendable {
    var apiKey: Int16?
    /// The frame was cut out of the socket's bytes.
    var readNanos: UInt64
    /// The worker took it off the queue (also where `RequestLatencies` starts counting).
    var startNanos: UInt64
    /// `KafkaBroker.start` returned.
    var startedNanos: UInt64 = 0
}
