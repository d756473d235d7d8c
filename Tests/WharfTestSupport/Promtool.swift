import Foundation

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
        return try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["check", "metrics"]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let writer = Thread {
                input.fileHandleForWriting.write(Data(exposition.utf8))
                try? input.fileHandleForWriting.close()
            }
            writer.start()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let problems = lines.filter { !$0.isEmpty && !acceptedLint.contains($0) }
            // 0: clean; 3: lint problems only (which must all be the accepted ones); 1: unparsable.
            if process.terminationStatus != 0 && process.terminationStatus != 3 || (process.terminationStatus == 3 && !problems.isEmpty) {
                return problems.isEmpty ? ["exit status \(process.terminationStatus)"] : problems
            }
            return problems
        }
    }
}
