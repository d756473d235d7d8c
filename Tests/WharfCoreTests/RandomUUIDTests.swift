import Foundation
import Testing
import WharfCore

/// The pooled UUIDs are version-4 UUIDs in Foundation's lower-case form, and do not repeat
/// across pool refills.
@Suite struct RandomUUIDTests {
    @Test func lowercasedMatchesFoundationsForm() throws {
        for _ in 0..<100 {
            let s = RandomUUID.lowercasedString()
            #expect(try #require(UUID(uuidString: s)).uuidString.lowercased() == s)
        }
    }

    @Test func versionFourAndNoRepeatsOverSeveralRefills() {
        var seen = Set<String>()
        for _ in 0..<2_000 {
            let s = RandomUUID.lowercasedString()
            let u = UUID(uuidString: s)
            #expect(u != nil && s.count == 36)
            if let u {
                #expect(u.uuid.6 >> 4 == 4 && u.uuid.8 >> 6 == 2)
            }
            seen.insert(s)
        }
        #expect(seen.count == 2_000)
    }
}
