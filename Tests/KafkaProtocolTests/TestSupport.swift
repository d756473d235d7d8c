import Testing
import WharfCore
@testable import KafkaProtocol

/// Generated sample values (Tests/KafkaProtocolTests/Generated): for a version, every field the
/// version carries set to a non-default value (variant 0), or to nulls, empties and extreme
/// values (variant 1); fields the version lacks stay at their defaults.
protocol Sampled: KafkaStruct {
    static func sample(version: Int16, variant: Int) -> Self
}

typealias SampledMessage = KafkaMessage & Sampled

/// A small deterministic generator (SplitMix64), so fuzz failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Parses "00 0a ff" style hex (spaces and newlines ignored) for byte literals.
func hex(_ s: String) -> [UInt8] {
    let digits = s.filter { $0.isHexDigit }
    precondition(digits.count % 2 == 0, "odd hex literal")
    var out: [UInt8] = []
    var i = digits.startIndex
    while i < digits.endIndex {
        let j = digits.index(i, offsetBy: 2)
        out.append(UInt8(digits[i..<j], radix: 16)!)
        i = j
    }
    return out
}

/// One generated message type as a test argument, named after the type in test output.
struct MessageCase: Sendable, CustomTestStringConvertible {
    let index: Int
    var type: any SampledMessage.Type { allMessageTypes[index] }
    var testDescription: String { "\(type)" }
    static let all: [MessageCase] = allMessageTypes.indices.map(MessageCase.init(index:))
}
