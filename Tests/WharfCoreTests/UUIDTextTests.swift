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
}
