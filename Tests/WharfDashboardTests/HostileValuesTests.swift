import Testing
import WharfCore
@testable import WharfDashboard

/// What any client can put in front of the dashboard (committed offsets of any int64, group
/// ids with terminal escapes, pathological JSON values) is drawn without trapping, hijacking
/// the terminal or stalling the frame (findings 5, 17 and 18).
@Suite struct HostileValuesTests {
    static func snapshot(_ t: Int64, committed: [Int64?], groupName: String = "pwned") -> ClusterSnapshot {
        let parts = committed.indices.map { PartitionSnapshot(partition: Int32($0), logStart: 0, logEnd: 10, sizeBytes: 100) }
        return ClusterSnapshot(timeMs: t, source: "t",
                               topics: [TopicSnapshot(name: "t", partitions: parts, retentionMs: 1000, retentionBytes: 100)],
                               groups: [GroupSnapshot(name: groupName, state: "Empty", partitions: committed.enumerated().map { i, c in
                                   GroupPartitionSnapshot(topic: "t", partition: Int32(i), committed: c, logEnd: 10,
                                                          lag: OffsetMath.lag(logStart: 0, logEnd: 10, committed: c), timeLagMs: .max)
                               })])
    }

    @Test func extremeCommittedOffsetsAreIngestedAndDrawnInEveryGroupView() {
        var state = DashboardState(capabilities: .all, readOnly: false, width: 120, height: 40)
        let sequences: [[Int64?]] = [[.max, .max, .min], [.min, .min, .max], [0, nil, .max], [.max, .max, .max]]
        for (i, committed) in sequences.enumerated() {
            _ = state.update(.tick(Self.snapshot(Int64(i + 1) * 1000, committed: committed)))
            for view in [ViewID.overview, .groups, .groupDetail("pwned"), .topicDetail("t")] {
                state.stack = [ViewFrame(view)]
                var canvas = Canvas(width: state.width, height: state.height)
                DashboardRenderer.render(state, into: &canvas)
            }
        }
        #expect(state.snapshot.groups[0].committedSum == .max, "saturates instead of trapping")
        #expect(Format.count(.min).hasPrefix("-"))
        #expect(Format.duration(ms: .min).hasPrefix("-") && Format.bytes(.min).hasPrefix("-"))
        #expect(Format.rate(.greatestFiniteMagnitude) != "")
    }

    @Test func offsetMathSaturates() {
        #expect(OffsetMath.add(.max, 1) == .max && OffsetMath.add(.min, -1) == .min)
        #expect(OffsetMath.subtract(.min, 1) == .min && OffsetMath.subtract(.max, -1) == .max && OffsetMath.subtract(0, .min) == .max)
        #expect(OffsetMath.sum([.max, .max]) == .max)
        #expect(OffsetMath.lag(logStart: 5, logEnd: 10, committed: .min) == 5, "no position: from the log start")
        #expect(OffsetMath.lag(logStart: 5, logEnd: 10, committed: .max) == 0)
        #expect(OffsetMath.lag(logStart: 5, logEnd: 10, committed: 2) == 8, "below the log start: the deleted records count")
        #expect(OffsetMath.lag(logStart: 5, logEnd: 10, committed: nil) == 5)
    }

    @Test func controlCharactersNeverReachTheTerminal() {
        let hostile = "a\u{1B}[2J\u{9B}31m\u{7F}\u{7}\u{202E}b\u{0301}é語"
        let safe = PrintableText.sanitized(hostile)
        #expect(safe == "a?[2J?31m?? b\u{0301}é語")
        #expect(!safe.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x202E || $0.value == 0x7 })
        #expect(PrintableText.sanitized("plain-group.1") == "plain-group.1")
        var canvas = Canvas(width: 20, height: 1)
        canvas.write(hostile, x: 0, y: 0, maxWidth: 20, role: .base)
        #expect(!canvas.cells.contains { $0.character.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x202E } })
    }

    /// Finding 18: `[[[[…]]]]` nested 50 000 deep formats in one linear pass, with capped
    /// indentation and only the lines asked for.
    @Test func deeplyNestedJSONIsLinearAndBounded() {
        let depth = 50_000
        let value = Array(String(repeating: "[", count: depth).utf8) + Array(String(repeating: "]", count: depth).utf8)
        let lines = RecordFormatter.prettyJSON(value, maxLines: 40)
        #expect(lines?.count == 40)
        #expect(lines?.allSatisfy { $0.map(\.0.count).reduce(0, +) <= 2 * RecordFormatter.maxIndentDepth + 1 } == true)
        let all = RecordFormatter.prettyJSON(value, maxLines: .max)
        #expect(all?.count == 2 * depth, "every bracket on its line, each indent shared")
        #expect(RecordFormatter.prettyJSON(value, maxLines: .max)?.count == 2 * depth, "cached: same answer")
        #expect(RecordFormatter.prettyJSON(Array("[1,".utf8)) == nil)
    }
}
