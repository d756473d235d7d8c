import Foundation
import WharfCore
import WharfEvents

/// EventStoreDB's stream access control, so that clients' `set_stream_metadata(acl=...)` works:
/// the last `$$<stream>` metadata event's `$acl` object names, per operation (`$r`, `$w`, `$d`,
/// `$mr`, `$mw`), a user name, a list of them, or a role: `$all` (every authenticated user) or
/// `$admins` (the `--super-users`). An operation the stream's `$acl` does not name falls back
/// to the default: `$settings`' `$userStreamAcl` / `$systemStreamAcl` if set, else EventStoreDB's
/// own (user streams: `$all`; `$`-prefixed streams, `$all` and `$ce-` categories: `$admins`).
/// Administrators pass every check. A metadata stream `$$x` is read with `$mr` and written with
/// `$mw` of `x`. Metadata that cannot be read refuses the operation (fails closed). The parsed
/// ACLs are kept per revision of their stream (`ESDBAclCache`).
struct ESDBAuthorizer: Sendable {
    static let everyone = "$all"
    static let administrators = "$admins"
    static let settingsStream = "$settings"
    static let streamAclKey = "$acl"
    static let userDefaultKey = "$userStreamAcl"
    static let systemDefaultKey = "$systemStreamAcl"
    let streams: ESDBStreams
    let admins: Set<String>
    let cache: ESDBAclCache

    init(streams: ESDBStreams, admins: Set<String>) {
        self.streams = streams
        self.admins = admins
        cache = ESDBAclCache(streams: streams)
    }

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

    private func explicitRoles(_ key: ESDBStreamOperation, of stream: String) throws(WharfError) -> [String]? {
        try cache.acls(in: ESDBStreams.metadataStream(of: stream), keys: [Self.streamAclKey])[Self.streamAclKey]?[key]
    }

    private func defaultRoles(_ key: ESDBStreamOperation, of stream: String) throws(WharfError) -> [String] {
        let system = stream.hasPrefix("$")
        let defaults = try cache.acls(in: Self.settingsStream, keys: [Self.userDefaultKey, Self.systemDefaultKey])
        return defaults[system ? Self.systemDefaultKey : Self.userDefaultKey]?[key] ?? [system ? Self.administrators : Self.everyone]
    }
}
