import Foundation
import Testing
import WharfAMQP

/// A lock token's text parsed straight to its delivery-tag gives what Foundation's parse gives,
/// and nothing for text that is not a canonical UUID.
@Suite struct LockTokenTextTests {
    @Test func canonicalTextGivesTheSameTagAsFoundationsParse() {
        for u in (0..<100).map({ _ in UUID() }) + [UUID(uuid: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xff))] {
            #expect(LockToken.deliveryTag(canonical: u.uuidString.lowercased()) == LockToken.deliveryTag(u))
            #expect(LockToken.deliveryTag(canonical: u.uuidString) == LockToken.deliveryTag(u))
        }
    }

    @Test func anythingElseIsNil() {
        let good = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
        #expect(LockToken.deliveryTag(canonical: good) != nil)
        for bad in ["", String(good.dropLast()), good + "0", good.replacingOccurrences(of: "-", with: ""),
                    "0a1b2c3d4-e5f-6071-8293-a4b5c6d7e8f9", "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8fg", "0a1b2c3d-4e5f-6071-8293-a4b5c6d7é8"] {
            #expect(LockToken.deliveryTag(canonical: bad) == nil, "\(bad)")
        }
    }
}
