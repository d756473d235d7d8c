import Testing
import WharfCore

@Suite struct KeyValueTextTests {
    @Test("the key is what precedes the first '=', the value all that follows, even empty or with '='")
    func splitsAtTheFirstEquals() {
        #expect(KeyValueText(parsing: "region=eu") == KeyValueText(key: "region", value: "eu"))
        #expect(KeyValueText(parsing: "a==b") == KeyValueText(key: "a", value: "=b"))
        #expect(KeyValueText(parsing: "k=") == KeyValueText(key: "k", value: ""))
        #expect(KeyValueText(parsing: " k = v ") == KeyValueText(key: " k ", value: " v "), "no trimming unless asked")
    }

    @Test("no '=' or an empty key is refused")
    func refusesAnEmptyKeyOrNoEquals() {
        #expect(KeyValueText(parsing: "region") == nil)
        #expect(KeyValueText(parsing: "") == nil)
        #expect(KeyValueText(parsing: "=eu") == nil)
        #expect(KeyValueText(parsing: "=") == nil)
    }

    @Test("trimming applies to key and value, and the key must be non-empty after it")
    func trimming() {
        #expect(KeyValueText(parsing: " region = eu\t", trimmingWhitespace: true) == KeyValueText(key: "region", value: "eu"))
        #expect(KeyValueText(parsing: "  = eu", trimmingWhitespace: true) == nil)
        #expect(KeyValueText(parsing: "k =  ", trimmingWhitespace: true) == KeyValueText(key: "k", value: ""))
    }

    @Test("parseAll keeps order and names the option and the text it refuses")
    func parseAll() throws {
        #expect(try KeyValueText.parseAll(["a=1", "b=2", "a=3"], option: "--header").map(\.key) == ["a", "b", "a"])
        #expect(throws: WharfError.invalidArgument("--property '=x' must look like KEY=VALUE, with a non-empty KEY")) {
            try KeyValueText.parseAll(["a=1", "=x"], option: "--property")
        }
    }
}
