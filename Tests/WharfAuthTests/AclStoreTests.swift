import Dispatch
import Foundation
import Testing
import WharfCore
import WharfTestSupport
@testable import WharfAuth

/// The ACL file: owner-only, reloaded whole or refused, and updated under a lock so parallel
/// writers (threads here; processes in AclCLITests) never lose an ACL. The user store shares
/// the lock.
@Suite struct AclStoreTests {
    private func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "wharf-acls-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func roundTripsOwnerOnlyAndSorted() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = AclStore(dataDirectory: dir)
        #expect(try store.load().isEmpty)
        #expect(store.stamp == nil)
        let acls = AclAuthorizerTests.acls
        try store.update { (stored: inout [AclBinding]) throws(WharfError) in stored = acls.reversed() + acls }
        #expect(try store.load() == acls.sorted())
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.contains(#""operation" : "ALTER_CONFIGS""#))
        let before = store.stamp
        try store.update { (stored: inout [AclBinding]) throws(WharfError) in stored.removeFirst() }
        #expect(store.stamp != before)
    }

    @Test func aDamagedFileIsAnErrorNotATrap() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = AclStore(dataDirectory: dir)
        let record = #"{"resourceType":"TOPIC","resourceName":"a","patternType":"LITERAL","principal":"User:a","host":"*","operation":"READ","permission":"ALLOW"}"#
        for content in ["{", #"{"format":2,"acls":[]}"#, #"{"format":1,"acls":[\#(record.replacingOccurrences(of: "READ", with: "ANY"))]}"#,
                        #"{"format":1,"acls":[\#(record.replacingOccurrences(of: "User:a", with: "nobody"))]}"#,
                        #"{"format":1,"acls":[\#(record.replacingOccurrences(of: "TOPIC", with: "USER"))]}"#] {
            try content.write(toFile: store.path, atomically: true, encoding: .utf8)
            #expect(throws: WharfError.self) { try store.load() }
        }
        try #"{"format":1,"acls":[\#(record)]}"#.write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect(try store.load().count == 1)
    }

    /// 4 threads x 15 updates each adding one ACL: without the lock, read-modify-write races
    /// lose ACLs (and two writers share one temporary file).
    @Test(.heavy) func parallelWritersLoseNothing() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = AclStore(dataDirectory: dir)
        let users = UserStore(dataDirectory: dir)
        let failures = await withCheckedContinuation { (done: CheckedContinuation<Int, Never>) in
            let group = DispatchGroup()
            let failed = FailureCount()
            for writer in 0..<4 {
                DispatchQueue.global().async(group: group) {
                    for i in 0..<15 {
                        do {
                            try store.update { (acls: inout [AclBinding]) throws(WharfError) in
                                acls.append(AclAuthorizerTests.acl(.topic, "t\(writer)-\(i)", "User:w", .read))
                            }
                            try users.update { (database: inout UserDatabase) throws(WharfError) in
                                database.users["u\(writer)-\(i)"] = [.scramSha256: ScramCredential(password: [1], hash: .sha256, iterations: 4096)]
                            }
                        } catch {
                            failed.add()
                        }
                    }
                }
            }
            group.notify(queue: .global()) { done.resume(returning: failed.value) }
        }
        #expect(failures == 0)
        #expect(try store.load().count == 60)
        #expect(try users.load().users.count == 60)
    }
}

private final class FailureCount: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
