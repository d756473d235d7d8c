import Testing
import WharfCore
import WharfEngine

/// `wharf servicebus rule add|list`: the filter a command line asks for, and its one-line form.
@Suite struct RuleFilterOptionsTests {
    @Test func sqlOrCorrelationButNotBothNorNeither() throws {
        #expect(try RuleFilter(sql: "quantity > 5", correlation: CorrelationFilter(), properties: []) == .sql("quantity > 5"))
        let c = try RuleFilter(sql: nil, correlation: CorrelationFilter(subject: "red"), properties: ["region=eu", "k=a=b"])
        #expect(c == .correlation(CorrelationFilter(subject: "red", properties: ["region": "eu", "k": "a=b"])))
        #expect(throws: WharfError.self) { try RuleFilter(sql: nil, correlation: CorrelationFilter(), properties: []) }
        #expect(throws: WharfError.self) { try RuleFilter(sql: "1=1", correlation: CorrelationFilter(), properties: ["a=b"]) }
        #expect(throws: WharfError.self) { try RuleFilter(sql: nil, correlation: CorrelationFilter(), properties: ["=b"]) }
        #expect(throws: WharfError.self) { try RuleFilter(sql: nil, correlation: CorrelationFilter(), properties: ["novalue"]) }
    }

    @Test func summaryNamesSystemPropertiesThenUserPropertiesSorted() {
        #expect(RuleFilter.sql("1=1").summary == "sql: 1=1")
        let c = CorrelationFilter(correlationId: "c1", subject: "red", properties: ["z": "1", "a": "2"])
        #expect(RuleFilter.correlation(c).summary == "correlation: correlationid=c1, label=red, user.a=2, user.z=1")
    }
}
