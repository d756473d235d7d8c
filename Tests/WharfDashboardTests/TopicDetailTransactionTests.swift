import Foundation
import Testing
@testable import WharfDashboard

/// The topic detail shows a partition's last stable offset and its open transactions next to
/// the high watermark while a transaction is open, and no such columns otherwise.
@Suite struct TopicDetailTransactionTests {
    static func render(openTransaction: Bool) -> [String] {
        var state = Fixture.state(width: 120, height: 40)
        if openTransaction {
            for t in state.snapshot.topics.indices {
                for p in state.snapshot.topics[t].partitions.indices {
                    state.snapshot.topics[t].partitions[p].lastStable = 7
                    state.snapshot.topics[t].partitions[p].openTransactions = 2
                }
            }
        }
        Fixture.press(&state, [.char("2"), .char("j"), .enter])
        let canvas = Dashboard.render(state, width: 120, height: 40)
        return (0..<40).map { canvas.line($0) }
    }

    @Test func anOpenTransactionShowsTheLastStableOffsetAndTheCount() {
        let lines = Self.render(openTransaction: true)
        let header = try? #require(lines.first { $0.contains("START") && $0.contains("END") })
        #expect(header?.contains("LSO") == true, "\(lines.joined(separator: "\n"))")
        #expect(header?.contains("TXNS") == true)
        #expect(lines.contains { $0.range(of: #" 7 +2( |$)"#, options: .regularExpression) != nil },
                "\(lines.joined(separator: "\n"))")
    }

    @Test func withoutOpenTransactionsTheColumnsAreNotShown() {
        let lines = Self.render(openTransaction: false)
        #expect(!lines.contains { $0.contains("LSO") })
    }
}
