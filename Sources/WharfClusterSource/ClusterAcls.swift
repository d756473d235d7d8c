import KafkaProtocol
import WharfAuth
import WharfKafkaClient

/// `wharf acl --bootstrap`: CreateAcls, DeleteAcls and DescribeAcls against a cluster's
/// authorizer, in `AclBinding` terms. A refusal (SECURITY_DISABLED on a broker without
/// `--authorize`, CLUSTER_AUTHORIZATION_FAILED) is one line naming the API and the broker's reason.
public enum ClusterAcls {
    public static func create(_ client: KafkaClient, _ acls: [AclBinding]) async throws(KafkaClientError) {
        let request = CreateAclsRequest(creations: acls.map {
            .init(resourceType: $0.resourceType.rawValue, resourceName: $0.resourceName, resourcePatternType: $0.patternType.rawValue,
                  principal: $0.principal, host: $0.host, operation: $0.operation.rawValue, permissionType: $0.permission.rawValue)
        })
        let response = try await client.send(request, to: .any)
        for result in response.results where result.errorCode != KafkaErrorCode.none {
            throw .broker(api: "CreateAcls", code: result.errorCode, context: result.errorMessage ?? "")
        }
    }

    /// Deletes the ACL equal to `acl` (if any) and returns what the broker deleted.
    public static func delete(_ client: KafkaClient, exactly acl: AclBinding) async throws(KafkaClientError) -> [AclBinding] {
        let request = DeleteAclsRequest(filters: [.init(
            resourceTypeFilter: acl.resourceType.rawValue, resourceNameFilter: acl.resourceName, patternTypeFilter: acl.patternType.rawValue,
            principalFilter: acl.principal, hostFilter: acl.host, operation: acl.operation.rawValue, permissionType: acl.permission.rawValue)])
        let response = try await client.send(request, to: .any)
        var deleted: [AclBinding] = []
        for result in response.filterResults {
            guard result.errorCode == KafkaErrorCode.none else {
                throw .broker(api: "DeleteAcls", code: result.errorCode, context: result.errorMessage ?? "")
            }
            for m in result.matchingAcls {
                guard let binding = binding(type: m.resourceType, name: m.resourceName, pattern: m.patternType, principal: m.principal,
                                            host: m.host, operation: m.operation, permission: m.permissionType)
                else { throw .malformed("DeleteAcls answered an ACL with unknown codes") }
                deleted.append(binding)
            }
        }
        return deleted
    }

    /// Every ACL the filter matches (`.all`: every ACL).
    public static func describe(_ client: KafkaClient, _ filter: AclBindingFilter) async throws(KafkaClientError) -> [AclBinding] {
        let anyCode: Int8 = 1
        let pattern: Int8 = switch filter.pattern {
        case .any: anyCode
        case .match: 2
        case .exactly(let type): type.rawValue
        }
        let request = DescribeAclsRequest(
            resourceTypeFilter: filter.resourceType?.rawValue ?? anyCode, resourceNameFilter: filter.resourceName, patternTypeFilter: pattern,
            principalFilter: filter.principal, hostFilter: filter.host, operation: filter.operation?.rawValue ?? anyCode,
            permissionType: filter.permission?.rawValue ?? anyCode)
        let response = try await client.send(request, to: .any)
        guard response.errorCode == KafkaErrorCode.none else {
            throw .broker(api: "DescribeAcls", code: response.errorCode, context: response.errorMessage ?? "")
        }
        var acls: [AclBinding] = []
        for resource in response.resources {
            for a in resource.acls {
                guard let binding = binding(type: resource.resourceType, name: resource.resourceName, pattern: resource.patternType,
                                            principal: a.principal, host: a.host, operation: a.operation, permission: a.permissionType)
                else { throw .malformed("DescribeAcls answered an ACL with unknown codes") }
                acls.append(binding)
            }
        }
        return acls
    }

    private static func binding(type: Int8, name: String, pattern: Int8, principal: String, host: String, operation: Int8,
                                permission: Int8) -> AclBinding? {
        guard let type = AclResourceType(rawValue: type), let pattern = AclPatternType(rawValue: pattern),
              let operation = AclOperation(rawValue: operation), let permission = AclPermission(rawValue: permission)
        else { return nil }
        return AclBinding(resourceType: type, resourceName: name, patternType: pattern, principal: principal, host: host,
                          operation: operation, permission: permission)
    }
}
