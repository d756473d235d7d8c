import Foundation
import Testing
import WharfCore
import WharfAuth

/// `wharf acl add|remove` on the real file: adding twice keeps one, removing says whether it found one.
@Suite struct AclStoreEditsTests {
    @Test func addIsIdempotentAndRemoveSaysWhetherItFoundOne() throws {
        let dir = NSTemporaryDirectory() + "wharf-acl-edits-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = AclStore(dataDirectory: dir)
        let read = try AclBinding(resourceType: .topic, resourceName: "orders", patternType: .literal, principal: "User:alice",
                                  host: AclBinding.wildcard, operation: .read, permission: .allow).validated()
        var write = read
        write.operation = .write
        #expect(try store.add(read) == true)
        #expect(try store.add(read) == false)
        #expect(try store.add(write) == true)
        #expect(try AclStore(dataDirectory: dir).load() == [read, write].sorted())
        #expect(try store.remove(read) == true)
        #expect(try store.remove(read) == false)
        #expect(try AclStore(dataDirectory: dir).load() == [write])
    }
}
