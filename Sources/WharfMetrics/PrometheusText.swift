/// A writer of Prometheus's text exposition format, version 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/): `# HELP` and `# TYPE` once
/// per family, then its samples, one per line. Label values and help text are escaped here, so
/// names from clients (topics, groups, queues) cannot break a line or forge a sample.
///
/// Wharf writes its own rather than using swift-prometheus: every family but the histograms is a
/// gauge read off a cached snapshot (thousands of label sets that appear and vanish with topics
/// and groups), which a registry of long-lived metric objects would have to create and delete
/// on every refresh; here a scrape is one pass over the snapshot into one string.
public struct PrometheusText: Sendable {
    public enum MetricType: String, Sendable {
        case gauge, counter, histogram
    }

    /// The exposition so far.
    public internal(set) var text = ""

    /// The content type a scrape answer carries.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public init() {}

    /// Starts a family: every sample written after it, until the next family, belongs to it.
    public mutating func family(_ name: String, _ type: MetricType, help: String) {
        text += "# HELP \(name) "
        for c in help.unicodeScalars {
            switch c {
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            default: text.unicodeScalars.append(c)
            }
        }
        text += "\n# TYPE \(name) \(type.rawValue)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int64) {
        writeSeries(name, labels)
        text += String(value)
        text += "\n"
    }

    /// Disfavoured, so an integer literal picks the `Int64` form.
    @_disfavoredOverload
    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        writeSeries(name, labels)
        text += Self.format(value)
        text += "\n"
    }

    mutating func writeSeries(_ name: String, _ labels: [(String, String)], extra: (String, String)? = nil) {
        text += name
        guard !labels.isEmpty || extra != nil else {
            text += " "
            return
        }
        text += "{"
        var first = true
        for (label, value) in labels {
            if !first { text += "," }
            first = false
            writeLabel(label, value)
        }
        if let (label, value) = extra {
            if !first { text += "," }
            writeLabel(label, value)
        }
        text += "} "
    }

    private mutating func writeLabel(_ label: String, _ value: String) {
        text += label
        text += "=\""
        // Nearly every name needs no escaping: append it whole.
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else {
            text += value
            text += "\""
            return
        }
        for c in value.unicodeScalars {
            switch c {
            case "\\": text += "\\\\"
            case "\"": text += "\\\""
            case "\n": text += "\\n"
            default: text.unicodeScalars.append(c)
            }
        }
        text += "\""
    }

    /// Go's float syntax, which Prometheus parses: `NaN`, `+Inf`, `-Inf`, or Swift's shortest
    /// round-tripping decimal (`0.25`, `1e-05`).
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
