import Foundation
import WharfSpawn

/// `promtool check metrics` on an exposition. Returns its complaints, less the two it always
/// makes about kafka_exporter's own names (`kafka_consumergroup_lag_sum` and
/// `kafka_consumergroup_current_offset_sum` end in `_sum`, which its linter reserves for
/// summaries and histograms; Wharf keeps kafka_exporter's names so its Grafana boards work).
/// A missing promtool is an error: CI installs it (`.ci/run`).
public enum Promtool {
    static let acceptedLint = [
        "kafka_consumergroup_lag_sum non-histogram and non-summary metrics should not have \"_sum\" suffix",
        "kafka_consumergroup_current_offset_sum non-histogram and non-summary metrics should not have \"_sum\" suffix",
    ]

    struct Missing: Error, CustomStringConvertible {
        var description: String { "promtool not found (apt-get install prometheus; .ci/run installs it)" }
    }

    public static func checkMetrics(_ exposition: String) async throws -> [String] {
        let path = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else { throw Missing() }
        let r = try await ChildProcess.run([path, "check", "metrics"], stdin: Data(exposition.utf8), timeout: .seconds(120))
        // It reports on both streams; which line came first does not matter.
        let lines = String(decoding: r.standardOutput + r.standardError, as: UTF8.self).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let problems = lines.filter { !$0.isEmpty && !acceptedLint.contains($0) }
        // 0: clean; 3: lint problems only (which must all be the accepted ones); 1: unparsable.
        if r.status != 0 && r.status != 3 || (r.status == 3 && !problems.isEmpty) {
            return problems.isEmpty ? ["exit status \(r.status)\(r.timedOut ? " (killed after 120 s)" : "")"] : problems
        }
        return problems
    }
}
