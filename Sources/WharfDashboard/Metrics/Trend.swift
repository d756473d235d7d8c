/// Direction of a value over its recent history.
public enum Trend: Sendable, Equatable {
    case rising, falling, flat

    public var arrow: String {
        switch self {
        case .rising: "↑"
        case .falling: "↓"
        case .flat: "→"
        }
    }

    /// Compares the newest value with the one `lookback` samples earlier.
    public static func of(_ values: RingBuffer<Int64>, lookback: Int = 5) -> Trend {
        guard values.count >= 2, let last = values.last else { return .flat }
        let earlier = values[max(0, values.count - 1 - lookback)]
        if last > earlier { return .rising }
        if last < earlier { return .falling }
        return .flat
    }
}
