import WharfAuth
import WharfKafkaClient

/// A cluster's ACLs as an `AclAdmin`: CreateAcls, DeleteAcls and DescribeAcls (`ClusterAcls`).
public struct ClusterAclAdmin: AclAdmin {
    let client: KafkaClient

    public init(client: KafkaClient) { self.client = client }

    /// CreateAcls does not say whether the ACL existed: always true.
    public func addAcl(_ binding: AclBinding) async throws -> Bool {
        try await ClusterAcls.create(client, [binding])
        return true
    }

    public func removeAcl(_ binding: AclBinding) async throws -> Bool {
        try await !ClusterAcls.delete(client, exactly: binding).isEmpty
    }

    public func acls() async throws -> [AclBinding] { try await ClusterAcls.describe(client, .all) }
}
