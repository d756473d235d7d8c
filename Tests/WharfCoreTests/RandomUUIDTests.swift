import Foundation
import Testing
import WharfCore

/// The pooled UUIDs are version-4 UUIDs in Foundation's lower-case form, and do not repeat
/// across pool refills.
@Suite struct RandomUUIDTests {
    @Test func lowercasedMatchesFoundationsForm() {
        for u in [UUID(), RandomUUID.next(), UUID(uuid: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xff))] {
            #expect(RandomUUID.lowercased(u) == u.uuidString.lowercased())
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
