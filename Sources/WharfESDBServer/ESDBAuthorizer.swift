import Foundation
import WharfEvents

/// EventStoreDB's stream access control, so that clients' `set_stream_metadata(acl=...)` works:
/// the last `$$<stream>` metadata event's `$acl` object names, per operation (`$r`, `$w`, `$d`,
/// `$mr`, `$mw`), a user name, a list of them, or a role: `$all` (every authenticated user) or
/// `$admins` (the `--super-users`). An operation the stream's `$acl` does not name falls back
/// to the default: `$settings`' `$userStreamAcl` / `$systemStreamAcl` if set, else EventStoreDB's
/// own (user streams: `$all`; `$`-prefixed streams, `$all` and `$ce-` categories: `$admins`).
/// Administrators pass every check. A metadata stream `$$x` is read with `$mr` and written with
/// `$mw` of `x`. Metadata that cannot be read refuses the operation (fails closed).
struct ESDBAuthorizer: Sendable {
    static let everyone = "$all"
    static let administrators = "$admins"
    let streams: ESDBStreams
    let admins: Set<String>

    func allows(user: String, _ operation: ESDBStreamOperation, on stream: String) -> Bool {
        if admins.contains(user) { return true }
        let (target, key) = Self.checked(operation, on: stream)
        let roles: [String]
        do {
            roles = try explicitRoles(key, of: target) ?? defaultRoles(key, of: target)
        } catch {
            return false
        }
        // `$admins` is only ever met by an administrator, who passed above.
        return roles.contains(user) || roles.contains(Self.everyone)
    }

    /// The stream whose ACL decides and the key: `$$x` is decided by `x`'s metadata keys.
    static func checked(_ operation: ESDBStreamOperation, on stream: String) -> (stream: String, key: ESDBStreamOperation) {
        guard let described = ESDBStreams.described(by: stream) else { return (stream, operation) }
        return (described, operation == .read || operation == .metadataRead ? .metadataRead : .metadataWrite)
    }

    private func explicitRoles(_ key: ESDBStreamOperation, of stream: String) throws -> [String]? {
        Self.roles(in: try streams.metadata(of: stream)?["$acl"], key: key)
    }

    private func defaultRoles(_ key: ESDBStreamOperation, of stream: String) throws -> [String] {
        let system = stream.hasPrefix("$")
        if let settings = try systemSettings(), let roles = Self.roles(in: settings[system ? "$systemStreamAcl" : "$userStreamAcl"], key: key) {
            return roles
        }
        return [system ? Self.administrators : Self.everyone]
    }

    /// The last `$settings` event's JSON object (EventStoreDB's default ACLs live there).
    private func systemSettings() throws -> [String: Any]? {
        guard streams.store.lastRevision(of: "$settings") != nil,
              let last = try streams.store.readStream("$settings", direction: .backwards, maxCount: 1).first else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(last.data))) as? [String: Any]
    }

    /// An ACL entry: a role or user name, or a list of them; nil when absent or of another shape.
    static func roles(in acl: Any?, key: ESDBStreamOperation) -> [String]? {
        guard let object = acl as? [String: Any], let entry = object[key.rawValue] else { return nil }
        if let one = entry as? String { return [one] }
        if let many = entry as? [Any] { return many.compactMap { $0 as? String } }
        return nil
    }
}
