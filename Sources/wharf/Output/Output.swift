import Foundation
import WharfAdmin
import WharfCore
import WharfDashboard

/// Printing helpers: aligned text tables for people, JSON for scripts.
enum Output {
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]  // paths and "t.DLT/0/7" read as written
        let data = try encoder.encode(value)
        print(String(decoding: data, as: UTF8.self))
    }

    /// Prints rows under a header with columns padded to their widest cell; numbers right-aligned.
    /// Cells hold what clients chose (group and client ids, dead-letter reasons), so they pass
    /// through the dashboard's rule for the terminal (`PrintableText`) first; `--json` is exact.
    static func table(_ header: [String], _ unsafeRows: [[String]], rightAligned: Set<Int> = []) {
        let rows = unsafeRows.map { $0.map(safe) }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: max(0, widths[i] - c.count))
                return rightAligned.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ").replacing(/\s+$/, with: "")
        }
        print(line(header))
        for r in rows { print(line(r)) }
    }

    /// Text a client chose, made safe for the terminal by the dashboard's rule (`PrintableText`).
    static func safe(_ text: String) -> String { PrintableText.sanitized(text) }

    /// "1 partition", "3 partitions": a count with its noun in the right number (`plural` for
    /// nouns that do not just take an "s").
    static func count<N: BinaryInteger>(_ n: N, _ singular: String, plural: String? = nil) -> String {
        CountText.of(n, singular, plural: plural)
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(n)
        var u = 0
        while v >= 1024, u < units.count - 1 { v /= 1024; u += 1 }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }

    static func duration(ms: Int64) -> String {
        if ms < 1000 { return "\(ms)ms" }
        let s = ms / 1000
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h\((s % 3600) / 60)m" }
        return "\(s / 86400)d\((s % 86400) / 3600)h"
    }

    static func retention(ms: Int64) -> String { ms < 0 ? "forever" : duration(ms: ms) }

    /// Text for a key or value: UTF-8 as is; other bytes marked so nothing is silently mangled.
    static func text(_ bytes: [UInt8]?) -> String { JSONBytes.text(bytes) }
}
