/// How authorization takes the refused items out of a request (and keeps them to answer).
extension Array {
    /// Removes the elements `isRefused` picks and returns them, in order.
    mutating func removeRefused(_ isRefused: (Element) -> Bool) -> [Element] {
        var refused: [Element] = []
        removeAll { element in
            guard isRefused(element) else { return false }
            refused.append(element)
            return true
        }
        return refused
    }
}
