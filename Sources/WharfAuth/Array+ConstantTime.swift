extension Array where Element == UInt8 {
    /// Equal contents, compared in time that depends only on the lengths (secrets, proofs).
    func constantTimeEquals(_ other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        var difference: UInt8 = 0
        for i in indices { difference |= self[i] ^ other[i] }
        return difference == 0
    }

    func xor(_ other: [UInt8]) -> [UInt8] {
        zip(self, other).map { $0 ^ $1 }
    }
}
