import Foundation
import WharfCore
import WharfStorage

/// The ACLs of a data directory: `<data>/acls.json`, mode 0600, replaced atomically (write,
/// fsync, rename, fsync the directory) under a `FileUpdateLock`, so concurrent `wharf acl`
/// runs and a broker answering CreateAcls/DeleteAcls never lose an update. A running broker
/// rereads the file when its `FileStamp` changes, so `wharf acl add --data` applies at once.
/// Each ACL added or removed is one entry in `<data>/audit.log` (`acl.create`, `acl.delete`),
/// written here where the change is applied, so the CLI and the wire's CreateAcls/DeleteAcls
/// both record it with their own actor.
///
/// Format (version 1): `{"format": 1, "acls": [{"resourceType": "TOPIC", "resourceName": "orders",
/// "patternType": "LITERAL", "principal": "User:alice", "host": "*", "operation": "READ",
/// "permission": "ALLOW"}, ...]}`, sorted, each ACL once.
public struct AclStore: Sendable {
    public static let fileName = "acls.json"
    public let path: String
    /// `<data>/audit.log`: each ACL added or removed, with who did it.
    public let audit: AuditLog

    public init(dataDirectory: String) {
        path = dataDirectory + "/" + Self.fileName
        audit = AuditLog(dataDirectory: dataDirectory)
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
    /// Each ACL added or removed is one audit entry of `actor`'s (with the error as its result
    /// when the file could not be written).
    public func update<R>(actor: AuditActor = .thisProcess, _ change: (inout [AclBinding]) throws(WharfError) -> R) throws(WharfError) -> R {
        try FileUpdateLock.withLock(for: path) { () throws(WharfError) -> R in
            let before = try load()
            var acls = before
            let result = try change(&acls)
            let unique = Array(Set(acls)).sorted()
            guard unique != before.sorted() else { return result }
            let old = Set(before)
            let added = unique.filter { !old.contains($0) }
            let removed = old.subtracting(unique).sorted()
            do throws(WharfError) {
                try save(unique)
            } catch {
                recordChanges(actor, added: added, removed: removed, result: "\(error)")
                throw error
            }
            recordChanges(actor, added: added, removed: removed, result: AuditEntry.ok)
            return result
        }
    }

    /// One entry per ACL: `acl.create` with the ACL as `after`, `acl.delete` with it as `before`.
    public func recordChanges(_ actor: AuditActor, added: [AclBinding], removed: [AclBinding], result: String) {
        for acl in added {
            audit.record(actor, action: AuditAction.aclCreate, target: acl.auditTarget, after: acl.auditFields, result: result)
        }
        for acl in removed {
            audit.record(actor, action: AuditAction.aclDelete, target: acl.auditTarget, before: acl.auditFields, result: result)
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

extension AclBinding {
    /// `acl:TOPIC:LITERAL:orders`: the resource an ACL is about, as the audit log names it.
    public var auditTarget: String { "acl:\(resourceType.name):\(patternType.name):\(resourceName)" }

    /// Who may or may not do what from where: the rest of the ACL, as an audit entry's before/after.
    public var auditFields: [String: String] {
        ["principal": principal, "host": host, "operation": operation.name, "permission": permission.name]
    }
}
