import Testing
import WharfCore
import WharfEngine
import WharfTestSupport

/// The Service Bus SQL filter subset: what matches, three-valued logic, and hostile text.
@Suite(.heavy) struct SQLFilterTests {
    static let order = FilterableMessage(OutgoingMessage(
        messageId: "m-1", body: [], correlationId: "c-9", sessionId: "s-1", subject: "order.created", contentType: "application/json",
        replyTo: "replies", to: "billing", applicationProperties: ["color": "red", "quantity": "7", "price": "2.5", "vip": "true", "note": "50% off_today"]))

    func matches(_ text: String, _ m: FilterableMessage = order) throws -> Bool {
        try SQLFilter(text).matches(m)
    }

    @Test func systemAndUserPropertiesComparisonsAndBooleans() throws {
        #expect(try matches("1=1"))
        #expect(try !matches("1=0"))
        #expect(try matches("sys.Label = 'order.created'"))
        #expect(try matches("sys.label = 'order.created' AND sys.MessageId = 'm-1' AND sys.CorrelationId = 'c-9'"))
        #expect(try matches("sys.To = 'billing' AND sys.ReplyTo = 'replies' AND sys.SessionId = 's-1' AND sys.ContentType = 'application/json'"))
        #expect(try matches("color = 'red'") && matches("user.color = 'red'") && matches("[color] = 'red'") && matches("user.[color] <> 'blue'"))
        #expect(try matches("quantity > 5 AND quantity <= 7 AND quantity != 6"))
        #expect(try !matches("quantity < 7"))
        #expect(try matches("price * 2 = 5 AND quantity + 1 = 8 AND quantity % 4 = 3 AND -quantity = -7 AND quantity / 2 = 3.5"))
        #expect(try matches("NOT color = 'blue' AND (color = 'blue' OR quantity = 7)"))
        #expect(try matches("vip = TRUE") && !matches("vip = FALSE"))
        #expect(try matches("color IN ('green', 'red')") && !matches("color NOT IN ('green', 'red')"))
        #expect(try matches("EXISTS(color) AND NOT EXISTS(size) AND size IS NULL AND color IS NOT NULL"))
        #expect(try matches("color = 'R' + 'ed'") == false)
        #expect(try matches("'it''s' = 'it''s'"))
        #expect(try matches("SYS.LABEL LIKE 'order.%' and color like 'r_d'"))
    }

    @Test func likeWithWildcardsAndEscape() throws {
        #expect(try matches("note LIKE '50!% off!_%' ESCAPE '!'"))
        #expect(try !matches("note LIKE '50!% off!_x%' ESCAPE '!'"))
        #expect(try matches("note LIKE '%off%'") && matches("note LIKE '%today'") && !matches("note LIKE 'today%'"))
        #expect(try matches("sys.Label NOT LIKE '%deleted'"))
        // Many % on a long text stays cheap (one backtrack point).
        let long = FilterableMessage(OutgoingMessage(messageId: "x", body: [], applicationProperties: ["t": String(repeating: "a", count: 5_000)]))
        #expect(try !SQLFilter("t LIKE '" + String(repeating: "%a", count: 200) + "b'").matches(long))
    }

    @Test func nullMakesComparisonsUnknownNotTrue() throws {
        #expect(try !matches("size = 1") && !matches("NOT size = 1") && !matches("size <> 1"))
        #expect(try matches("size = 1 OR color = 'red'"))
        #expect(try !matches("size IN (1, 2)") && !matches("size NOT IN (1, 2)"))
        #expect(try !matches("color = NULL"))
        #expect(try !matches("quantity / 0 = 1"))
    }

    @Test func badTextIsOneClearErrorNeverATrap() {
        for text in ["", "color =", "color = 'red", "(color = 'red'", "color == 'red'", "a IS 3", "x LIKE 3", "x NOT 3",
                     "EXISTS(1)", "[unterminated", "color = 'a' ESCAPE 'b'", "AND", "1e999 = 1", "#", "sys.", "x LIKE 'a' ESCAPE 'ab'"] {
            #expect(throws: WharfError.self, "\(text)") { try SQLFilter(text) }
        }
        #expect(throws: WharfError.self) { try SQLFilter(String(repeating: "(", count: 40) + "1=1" + String(repeating: ")", count: 40)) }
        #expect(throws: WharfError.self) { try SQLFilter(String(repeating: "NOT ", count: 100) + "1=1") }
        #expect(throws: WharfError.self) { try SQLFilter(String(repeating: "-", count: 600) + "1 = 1") }
        #expect(throws: WharfError.self) { try SQLFilter("color = '" + String(repeating: "x", count: 1100) + "'") }
        #expect(throws: Never.self) { try SQLFilter(String(repeating: "(", count: 30) + "1=1" + String(repeating: ")", count: 30)) }
    }

    /// Seeded mutations of valid filters: parsing and evaluation may fail but never trap.
    @Test func randomMutationsNeverTrap() {
        let seeds = ["sys.Label = 'order.created' AND quantity > 5", "color IN ('a', 'b') OR NOT EXISTS(size)",
                     "note LIKE '50!% off!_%' ESCAPE '!'", "(price * 2 + 1) / (quantity - 7) >= -3.5e2", "[a b] IS NOT NULL AND user.[x] <> 'y'"]
        let alphabet = Array("()'[]%_!=<>+-*/,.aZ9 eE$\u{00e9}") + ["AND ", "OR ", "NOT ", "IN ", "LIKE ", "ESCAPE ", "IS ", "NULL "].flatMap { Array($0) }
        var rng = SeededRandom(seed: 0x5B1)
        var parsed = 0
        for round in 0..<20_000 {
            var chars = Array(seeds[round % seeds.count])
            for _ in 0...Int(rng.next() % 5) {
                let i = chars.isEmpty ? 0 : Int(rng.next() % UInt64(chars.count))
                switch rng.next() % 4 {
                case 0 where !chars.isEmpty: chars.remove(at: i)
                case 1: chars.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                case 2 where !chars.isEmpty: chars[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                default: chars.removeLast(chars.isEmpty ? 0 : Int(rng.next() % UInt64(chars.count)))
                }
            }
            if let f = try? SQLFilter(String(chars)) {
                _ = f.matches(Self.order)
                parsed += 1
            }
        }
        #expect(parsed > 1_000)
    }
}
