import WharfCore

extension RuleFilter {
    /// The filter a command line asks for: `sql`, or the correlation filter `correlation` with
    /// `properties` given as `key=value` texts; exactly one of the two.
    public init(sql: String?, correlation: CorrelationFilter, properties: [String]) throws(WharfError) {
        var c = correlation
        for p in try KeyValueText.parseAll(properties, option: "--property") { c.properties[p.key] = p.value }
        let isCorrelation = c != CorrelationFilter()
        switch (sql, isCorrelation) {
        case (let text?, false): self = .sql(text)
        case (nil, true): self = .correlation(c)
        case (nil, false): throw .invalidArgument("give a filter: --sql or correlation options (--correlation-id, --subject, --property k=v, ...)")
        case (_?, true): throw .invalidArgument("give either --sql or correlation options, not both")
        }
    }

    /// One line for a listing: `sql: TEXT`, or `correlation: name=value, user.key=value, ...`.
    public var summary: String {
        switch self {
        case .sql(let text): return "sql: " + text
        case .correlation(let c):
            var parts = c.systemConditions.compactMap { name, value in value.map { "\(name)=\($0)" } }
            parts += c.properties.sorted { $0.key < $1.key }.map { "user.\($0.key)=\($0.value)" }
            return "correlation: " + parts.joined(separator: ", ")
        }
    }
}
