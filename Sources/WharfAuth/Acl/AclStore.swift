import Foundation
import WharfCore
import WharfStorage

/// The ACLs of a data directory: `<data>/acls.json`, mode 0600, replaced atomically (write,
/// fsync, rename, fsync the directory) under a `FileUpdateLock`, so concurrent `wharf acl`
/// runs and a broker answering CreateAcls/DeleteAcls never lose an update. A running broker
/// rereads the file when its `FileStamp` changes, so `wharf acl add --data` applies at once.
///
/// Format (version 1): `{"format": 1, "acls": [{"resourceType": "TOPIC", "resourceName": "orders",
/// "patternType": "LITERAL", "principal": "User:alice", "host": "*", "operation": "READ",
/// "permission": "ALLOW"}, ...]}`, sorted, each ACL once.
public struct AclStore: Sendable {
    public static let fileName = "acls.json"
    public let path: String

    public init(dataDirectory: String) {
        path = dataDirectory + "/" + Self.fileName
    }

    /// The file's current version (nil: no file, no ACLs).
    public var stamp: FileStamp? { FileStamp.of(path) }

    /// The ACLs on disk (none when the file does not exist). A file that cannot be read or holds
    /// an invalid ACL is an error naming the file: nothing half-parsed is enforced.
    public func load() throws(WharfError) -> [AclBinding] {
        guard let bytes = try OwnerOnlyFile.read(path) else { return [] }
        let file: AclFile
        do {
            file = try JSONDecoder().decode(AclFile.self, from: Data(bytes))
        } catch {
            throw .corrupt("\(path): not a Wharf ACL file (\(error))")
        }
        guard file.format == AclFile.currentFormat else { throw .corrupt("\(path): unknown format \(file.format)") }
        var acls: [AclBinding] = []
        for acl in file.acls {
            do { acls.append(try acl.validated()) } catch { throw .corrupt("\(path): \(error)") }
        }
        return acls
    }

    /// Loads, lets `change` edit, and saves if the set changed, all under the store's lock.
    public func update<R>(_ change: (inout [AclBinding]) throws(WharfError) -> R) throws(WharfError) -> R {
        try FileUpdateLock.withLock(for: path) { () throws(WharfError) -> R in
            let before = try load()
            var acls = before
            let result = try change(&acls)
            let unique = Array(Set(acls)).sorted()
            if unique != before.sorted() { try save(unique) }
            return result
        }
    }

    private func save(_ acls: [AclBinding]) throws(WharfError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: Data
        do { bytes = try encoder.encode(AclFile(acls: acls)) } catch { throw .io("cannot encode \(path): \(error)") }
        try OwnerOnlyFile.write(Array(bytes) + [UInt8(ascii: "\n")], to: path)
    }
}

/// The JSON shape of the file: a format number and the ACLs (`AclBinding`'s Codable form).
private struct AclFile: Codable {
    static let currentFormat = 1
    var format = currentFormat
    var acls: [AclBinding]

    init(acls: [AclBinding]) { self.acls = acls }
}
