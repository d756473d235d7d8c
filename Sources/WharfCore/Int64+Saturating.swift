extension Int64 {
    /// `self + other`, clamped to Int64's range instead of trapping: for sums of values read from
    /// a socket or a file (a record's base timestamp and delta, a batch's offset and delta).
    public func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self - other`, clamped to Int64's range instead of trapping (ages, time windows).
    public func subtractingSaturating(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        guard overflow else { return difference }
        return other > 0 ? .min : .max
    }
}
