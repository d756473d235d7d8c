import Foundation
import Testing
import WharfCore
@testable import WharfAuth

@Suite struct UserStoreTests {
    private func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "wharf-users-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func roundTripsOwnerOnlyWithoutThePassword() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = UserStore(dataDirectory: dir)
        var database = UserDatabase()
        database.users["alice"] = [.scramSha512: ScramCredential(password: Array("hunter2-secret".utf8), hash: .sha512),
                                   .plain: ScramCredential(password: Array("hunter2-secret".utf8), hash: .sha512)]
        try store.save(database)
        #expect(try store.load() == database)
        let attributes = try FileManager.default.attributesOfItem(atPath: store.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(!text.contains("hunter2-secret"))
        #expect(try store.load().users["alice"]?[.plain]?.matches(password: Array("hunter2-secret".utf8)) == true)
    }

    @Test func aDamagedFileIsAnErrorNotATrap() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = UserStore(dataDirectory: dir)
        for content in ["{", #"{"format":1,"users":{"a":{"SCRAM-SHA-256":{"salt":"AA==","iterations":1,"storedKey":"AA==","serverKey":"AA=="}}}}"#,
                        #"{"format":1,"users":{"a":{"MD5":{"salt":"AA==","iterations":4096,"storedKey":"AA==","serverKey":"AA=="}}}}"#] {
            try content.write(toFile: store.path, atomically: true, encoding: .utf8)
            #expect(throws: WharfError.self) { try store.load() }
        }
    }
}
