import Foundation
import Glibc
import Testing
import WharfCore
@testable import WharfStorage

@Suite struct DataDirectoryLockTests {
    @Test func secondAcquireFailsNamingTheOwnerPid() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let lock = try DataDirectoryLock.acquire(directory: dir.path)
        #expect(String(decoding: readBytes(dir.path + "/.lock"), as: UTF8.self) == "\(getpid())\n")
        #expect(throws: WharfError.locked(path: dir.path, ownerPid: getpid())) {
            try DataDirectoryLock.acquire(directory: dir.path)
        }
        lock.release()
        lock.release()
        let again = try DataDirectoryLock.acquire(directory: dir.path)
        #expect(again.isHeld)
        again.release()
        #expect(!again.isHeld)
    }

    @Test func errorMessageNamesThePid() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let lock = try DataDirectoryLock.acquire(directory: dir.path)
        defer { lock.release() }
        do {
            _ = try DataDirectoryLock.acquire(directory: dir.path)
            Issue.record("second acquire succeeded")
        } catch {
            #expect(error.description.contains("pid \(getpid())"))
        }
    }

    @Test func createsMissingDirectory() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let lock = try DataDirectoryLock.acquire(directory: dir.path + "/a/b")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/a/b/.lock"))
        lock.release()
    }
}
