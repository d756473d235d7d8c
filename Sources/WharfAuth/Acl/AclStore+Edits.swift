import WharfCore

/// The edits `wharf acl add|remove` make, each one locked `update` of the store.
extension AclStore {
    /// Adds `binding` unless it is there already; returns whether it was added.
    public func add(_ binding: AclBinding, actor: AuditActor = .thisProcess) throws(WharfError) -> Bool {
        try update(actor: actor) { (acls: inout [AclBinding]) throws(WharfError) -> Bool in
            guard !acls.contains(binding) else { return false }
            acls.append(binding)
            return true
        }
    }

    /// Removes every ACL equal to `binding`; returns whether there was one.
    public func remove(_ binding: AclBinding, actor: AuditActor = .thisProcess) throws(WharfError) -> Bool {
        try update(actor: actor) { (acls: inout [AclBinding]) throws(WharfError) -> Bool in
            let before = acls.count
            acls.removeAll { $0 == binding }
            return acls.count != before
        }
    }
}
