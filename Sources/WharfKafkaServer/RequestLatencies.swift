import KafkaProtocol
import WharfCore

/// How long the listener took to answer each Kafka API, from taking a request off the
/// connection's queue to its answer being final (a Produce under `--fsync always` includes its
/// group commit; a long-poll Fetch its wait). Exported as `wharf_kafka_request_duration_seconds`
/// with label `api` (Kafka's request names: `Produce`, `Fetch`, ...).
///
/// The table is built once, so recording is a dictionary read and `LatencyHistogram.observe`:
/// no allocation per request.
public final class RequestLatencies: Sendable {
    private let byKey: [Int16: LatencyHistogram]
    /// Requests whose API key this broker has no codec for (answered with an error or closed).
    public let unknown = LatencyHistogram()

    public init() {
        byKey = Dictionary(uniqueKeysWithValues: ApiKey.allCases.map { ($0.rawValue, LatencyHistogram()) })
    }

    /// Records one answered request whose frame began with `apiKey`.
    func observe(apiKey: Int16?, since start: UInt64) {
        (apiKey.flatMap { byKey[$0] } ?? unknown).observe(since: start)
    }

    /// Every API with at least one answered request, by Kafka's name for it, sorted by name.
    public var histograms: [(api: String, histogram: LatencyHistogram)] {
        var out = ApiKey.allCases.compactMap { key -> (String, LatencyHistogram)? in
            guard let h = byKey[key.rawValue], h.snapshot.count > 0 else { return nil }
            return (Self.name(key), h)
        }
        if unknown.snapshot.count > 0 { out.append(("unknown", unknown)) }
        return out.sorted { $0.0 < $1.0 }
    }

    /// `listOffsets` -> `ListOffsets`, as Kafka's own request metrics name the APIs.
    static func name(_ key: ApiKey) -> String {
        let s = String(describing: key)
        return s.prefix(1).uppercased() + s.dropFirst()
    }

    /// The API key of a request frame (its first two bytes), nil when too short to have one.
    static func apiKey(of payload: [UInt8]) -> Int16? {
        payload.count >= 2 ? Int16(bitPattern: UInt16(payload[0]) << 8 | UInt16(payload[1])) : nil
    }
}

