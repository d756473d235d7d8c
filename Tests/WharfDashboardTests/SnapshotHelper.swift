import Foundation
import Testing
@testable import WharfDashboard

/// Compares a canvas with `__Snapshots__/<name>.txt` (lines between bars, then role runs).
/// With WHARF_RECORD_SNAPSHOTS=1, or when the file is missing, writes it and fails so a
/// recording run is never mistaken for a passing one.
func assertSnapshot(_ canvas: Canvas, named name: String, filePath: String = #filePath,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let dir = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    let file = dir.appendingPathComponent(name + ".txt")
    let actual = canvas.snapshotText()
    let record = ProcessInfo.processInfo.environment["WHARF_RECORD_SNAPSHOTS"] == "1"
    if !record, let expected = try? String(contentsOf: file, encoding: .utf8) {
        if expected != actual {
            let diff = firstDifference(expected, actual)
            Issue.record("snapshot \(name) differs (re-record with WHARF_RECORD_SNAPSHOTS=1):\n\(diff)", sourceLocation: sourceLocation)
        }
        return
    }
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try? actual.write(to: file, atomically: true, encoding: .utf8)
    Issue.record("recorded snapshot \(name); run again to compare", sourceLocation: sourceLocation)
}

private func firstDifference(_ a: String, _ b: String) -> String {
    let la = a.split(separator: "\n", omittingEmptySubsequences: false)
    let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
    for i in 0..<max(la.count, lb.count) {
        let x = i < la.count ? String(la[i]) : "<none>"
        let y = i < lb.count ? String(lb[i]) : "<none>"
        if x != y { return "line \(i + 1)\n expected: \(x)\n   actual: \(y)" }
    }
    return "(no line differs)"
}

/// Deterministic fixtures: the synthetic demo cluster at a fixed time, fed six ticks.
enum Fixture {
    static let start: Int64 = 1_764_158_400_000   // 2025-11-26 12:00:00 UTC

    static func cluster(ticks: Int = 6) -> SyntheticCluster {
        var c = SyntheticCluster(demoAt: start)
        c.advance(to: start + Int64(ticks - 1) * 1000)
        return c
    }

    static func state(width: Int = 80, height: Int = 24, readOnly: Bool = false, ticks: Int = 6) -> DashboardState {
        var cluster = SyntheticCluster(demoAt: start)
        var state = DashboardState(capabilities: .all, readOnly: readOnly, width: width, height: height)
        for i in 0..<ticks {
            cluster.advance(to: start + Int64(i) * 1000)
            _ = state.update(.tick(cluster.snapshot(source: "/var/lib/wharf", listener: "listening on :9092")))
        }
        return state
    }

    /// Feeds keys; returns all effects produced.
    @discardableResult
    static func press(_ state: inout DashboardState, _ keys: [Key]) -> [Effect] {
        keys.flatMap { state.update(.key($0)) }
    }

    static func type(_ text: String) -> [Key] { text.map { Key.char($0) } }
}
