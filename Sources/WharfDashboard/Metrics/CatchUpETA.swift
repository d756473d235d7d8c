/// Time until a group catches up: `lag / (consumeRate - produceRate)`.
public enum CatchUpETA: Sendable, Equatable {
    case caughtUp
    case eta(ms: Int64)
    case never

    public static func compute(lag: Int64, consumeRate: Double, produceRate: Double) -> CatchUpETA {
        if lag <= 0 { return .caughtUp }
        let net = consumeRate - produceRate
        guard net > 0.000_001 else { return .never }
        let seconds = Double(lag) / net
        guard seconds < 1e9 else { return .never }
        return .eta(ms: Int64((seconds * 1000).rounded()))
    }

    public var label: String {
        switch self {
        case .caughtUp: "-"
        case .eta(let ms): Format.duration(ms: ms)
        case .never: "never"
        }
    }

    /// Sort key: caught up first, never last.
    public var sortKey: Int64 {
        switch self {
        case .caughtUp: -1
        case .eta(let ms): ms
        case .never: Int64.max
        }
    }
}
