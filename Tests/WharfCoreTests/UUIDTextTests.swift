import Foundation
import Testing
import WharfCore

/// The UUID text form read and written without Foundation's round trips: the same answers as
/// `UUID(uuidString:)` and `uuidString` on every input, and never a trap on text from the wire.
@Suite struct UUIDTextTests {
    @Test func itAgreesWithFoundationBothWays() {
        for _ in 0..<1000 {
            let id = UUID()
            #expect(UUIDText.uppercase(id) == id.uuidString)
            #expect(UUIDText.lowercase(id) == id.uuidString.lowercased())
            #expect(UUIDText.parse(id.uuidString) == id)
            #expect(UUIDText.parse(id.uuidString.lowercased()) == id)
            #expect(UUIDText.parse(Array(id.uuidString.utf8)) == id)
        }
    }

    @Test func anythingButThe36CharacterFormIsRefused() {
        let good = "0c5e9f9e-3a1b-4c1d-9e2f-0123456789ab"
        #expect(UUIDText.parse(good) != nil)
        for bad in ["", "0c5e9f9e3a1b4c1d9e2f0123456789ab", good + "0", String(good.dropLast()),
                    "0c5e9f9e-3a1b-4c1d-9e2f-0123456789ag", "0c5e9f9e_3a1b-4c1d-9e2f-0123456789ab",
                    "0c5e9f9-e3a1b-4c1d-9e2f-0123456789ab", "{c5e9f9e-3a1b-4c1d-9e2f-0123456789a}",
                    "0c5e9f9e-3a1b-4c1d-9e2f-0123456789aé"] {
            #expect(UUIDText.parse(bad) == nil, "\(bad)")
            #expect(UUID(uuidString: bad) == nil, "Foundation accepts \(bad)")
        }
        #expect(UUIDText.parse([UInt8](repeating: 0xFF, count: 36)) == nil)
    }

    /// Every byte value at every position of a valid text: accepted exactly when it is a hex
    /// digit of either case where a digit goes, or the dash where a dash goes, and then read as
    /// Foundation reads it. (Foundation also lets whitespace stand in some places; the event
    /// store and the gRPC listener want the strict form.)
    @Test func everyByteAtEveryPositionIsCheckedStrictly() {
        let good = Array("0c5e9f9e-3a1b-4c1d-9e2f-0123456789ab".utf8)
        let hex = Set("0123456789abcdefABCDEF".utf8)
        for at in good.indices {
            for value in UInt8.min...UInt8.max {
                var text = good
                text[at] = value
                let valid = [8, 13, 18, 23].contains(at) ? value == UInt8(ascii: "-") : hex.contains(value)
                let parsed = UUIDText.parse(text)
                #expect((parsed != nil) == valid, "byte \(value) at \(at)")
                if valid { #expect(parsed == UUID(uuidString: String(decoding: text, as: UTF8.self)), "byte \(value) at \(at)") }
            }
        }
    }
}
