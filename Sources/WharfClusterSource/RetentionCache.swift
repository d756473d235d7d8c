/// Topics' `retention.ms` and `retention.bytes` (negative: unlimited) as last read.
public struct RetentionCache: Sendable {
    public static let maxAgeMs: Int64 = 60_000
    public var values: [String: (ms: Int64, bytes: Int64)] = [:]
    public var readAtMs: Int64 = .min / 2

    public init() {}
}
