import WharfCore

/// What `wharf acl` asks of wherever the ACLs live: a data directory's `AclStore`, or a
/// cluster's authorizer over the wire (`ClusterAclAdmin`), so the command has one path.
public protocol AclAdmin: Sendable {
    /// Adds `binding`; false when it was already there (a cluster does not say so: true).
    func addAcl(_ binding: AclBinding) async throws -> Bool
    /// Removes exactly `binding`; false when there was none.
    func removeAcl(_ binding: AclBinding) async throws -> Bool
    /// Every ACL, in no particular order.
    func acls() async throws -> [AclBinding]
}

extension AclStore: AclAdmin {
    public func addAcl(_ binding: AclBinding) throws(WharfError) -> Bool { try add(binding) }
    public func removeAcl(_ binding: AclBinding) throws(WharfError) -> Bool { try remove(binding) }
    public func acls() throws(WharfError) -> [AclBinding] { try load() }
}
