import Foundation
import Testing
@testable import WharfKafkaServer

extension KafkaServer {
    /// How many requests of each Kafka API (by Kafka's name, `AlterConfigs`, ...) this listener
    /// answered, waiting up to two seconds for `expected` to appear: the listener counts an answer
    /// once it is final, which may be just after the client read it and exited.
    ///
    /// Real-client tests assert on it so a client that silently falls back to another API (as
    /// kafka-python's `describe_cluster` falls back to Metadata) cannot pass for the API under test.
    func answeredAPIs(expecting expected: Set<String>) async -> [String: UInt64] {
        var counts: [String: UInt64] = [:]
        for _ in 0..<200 {
            counts = Dictionary(uniqueKeysWithValues: requestLatencies.histograms.map { ($0.api, $0.histogram.snapshot.count) })
            if expected.allSatisfy({ counts[$0, default: 0] > 0 }) { break }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return counts
    }

    /// Expects every API of `expected` to have been answered at least once, naming the ones
    /// that were not.
    func expectAnswered(_ expected: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) async {
        let counts = await answeredAPIs(expecting: expected)
        let missing = expected.filter { counts[$0, default: 0] == 0 }.sorted()
        #expect(missing.isEmpty, "never answered: \(missing); answered: \(counts.keys.sorted())", sourceLocation: sourceLocation)
    }
}
