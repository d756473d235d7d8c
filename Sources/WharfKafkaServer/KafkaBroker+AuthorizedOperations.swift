import KafkaProtocol
import WharfAuth

/// KIP-430: Metadata (v8+ for topics, v8-10 for the cluster), DescribeCluster and DescribeGroups
/// (v3+) tell a client that asks which operations it may perform on each resource, as Kafka's
/// `AuthHelper.authorizedOperations` does: one bit per ACL operation code; without `--authorize`
/// every operation the resource type supports, with it those the principal's ACLs allow (implied
/// operations included). Not asked for, the field keeps Kafka's "not requested", INT32_MIN.
extension KafkaBroker {
    static let topicOperations: [AclOperation] = [.read, .write, .create, .delete, .alter, .describe, .describeConfigs, .alterConfigs]
    static let groupOperations: [AclOperation] = [.read, .describe, .delete]
    static let clusterOperations: [AclOperation] = [.create, .clusterAction, .describeConfigs, .alterConfigs, .idempotentWrite, .alter, .describe]

    static func authorizedOperations(_ supported: [AclOperation], on type: AclResourceType, named name: String, check: AccessCheck?) -> Int32 {
        supported.reduce(Int32(0)) { bits, operation in
            let allowed = check?.allows(operation, type, name, logDenial: false) ?? true
            return allowed ? bits | (Int32(1) << Int32(operation.rawValue)) : bits
        }
    }

    func withAuthorizedOperations(_ response: MetadataResponse, asked r: MetadataRequest, version: Int16, check: AccessCheck?) -> MetadataResponse {
        var response = response
        if version >= 8, r.includeTopicAuthorizedOperations {
            for i in response.topics.indices {
                guard let name = response.topics[i].name else { continue }
                response.topics[i].topicAuthorizedOperations = Self.authorizedOperations(Self.topicOperations, on: .topic, named: name, check: check)
            }
        }
        if version >= 8, r.includeClusterAuthorizedOperations {
            response.clusterAuthorizedOperations = Self.authorizedOperations(Self.clusterOperations, on: .cluster, named: AclBinding.clusterName, check: check)
        }
        return response
    }

    func withAuthorizedOperations(_ response: DescribeClusterResponse, asked r: DescribeClusterRequest, check: AccessCheck?) -> DescribeClusterResponse {
        guard r.includeClusterAuthorizedOperations else { return response }
        var response = response
        response.clusterAuthorizedOperations = Self.authorizedOperations(Self.clusterOperations, on: .cluster, named: AclBinding.clusterName, check: check)
        return response
    }

    func withAuthorizedOperations(_ response: DescribeGroupsResponse, asked r: DescribeGroupsRequest, check: AccessCheck?) -> DescribeGroupsResponse {
        guard r.includeAuthorizedOperations else { return response }
        var response = response
        for i in response.groups.indices where response.groups[i].errorCode == KafkaError.none {
            response.groups[i].authorizedOperations = Self.authorizedOperations(Self.groupOperations, on: .group, named: response.groups[i].groupId, check: check)
        }
        return response
    }
}
