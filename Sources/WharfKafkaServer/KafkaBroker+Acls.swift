import KafkaProtocol
import WharfAuth
import WharfCore

/// DescribeAcls, CreateAcls and DeleteAcls: Kafka admin clients (and `wharf acl --bootstrap`)
/// manage the ACLs of a broker running with `--authorize`, on the same store as `wharf acl`.
/// Without `--authorize` they answer SECURITY_DISABLED, as a Kafka broker without an
/// authorizer does. Reading needs DESCRIBE on the cluster, changing ALTER.
extension KafkaBroker {
    static let securityDisabledMessage = "No Authorizer is configured on the broker (start wharf with --authorize)"
    /// Every check scans the ACLs, so their number is bounded (Kafka has no bound; an admin
    /// with ten thousand ACLs wants prefixes).
    static let maxAcls = 10_000

    func describeAcls(_ r: DescribeAclsRequest, session: ConnectionSession) -> DescribeAclsResponse {
        var response = DescribeAclsResponse(errorMessage: nil)
        guard let accessControl else {
            response.errorCode = KafkaError.securityDisabled
            response.errorMessage = Self.securityDisabledMessage
            return response
        }
        guard accessCheck(accessControl, session: session).allowsCluster(.describe) else {
            response.errorCode = KafkaError.clusterAuthorizationFailed
            response.errorMessage = "not authorized to DESCRIBE the cluster"
            return response
        }
        let filter: AclBindingFilter
        do {
            filter = try AclBindingFilter(wireResourceType: r.resourceTypeFilter, resourceName: r.resourceNameFilter,
                                          wirePatternType: r.patternTypeFilter, principal: r.principalFilter, host: r.hostFilter,
                                          wireOperation: r.operation, wirePermission: r.permissionType)
        } catch {
            response.errorCode = KafkaError.invalidRequest
            response.errorMessage = error.description
            return response
        }
        let matching = accessControl.authorizer.acls.filter(filter.matches).sorted()
        var resources: [DescribeAclsResponse.DescribeAclsResource] = []
        for acl in matching {
            let entry = DescribeAclsResponse.AclDescription(principal: acl.principal, host: acl.host,
                                                            operation: acl.operation.rawValue, permissionType: acl.permission.rawValue)
            if let last = resources.last, last.resourceType == acl.resourceType.rawValue, last.resourceName == acl.resourceName,
               last.patternType == acl.patternType.rawValue {
                resources[resources.count - 1].acls.append(entry)
            } else {
                resources.append(.init(resourceType: acl.resourceType.rawValue, resourceName: acl.resourceName,
                                       patternType: acl.patternType.rawValue, acls: [entry]))
            }
        }
        response.resources = resources
        return response
    }

    func createAcls(_ r: CreateAclsRequest, session: ConnectionSession) -> CreateAclsResponse {
        func all(_ code: Int16, _ message: String) -> CreateAclsResponse {
            CreateAclsResponse(results: r.creations.map { _ in .init(errorCode: code, errorMessage: message) })
        }
        guard let accessControl else { return all(KafkaError.securityDisabled, Self.securityDisabledMessage) }
        guard accessCheck(accessControl, session: session).allowsCluster(.alter) else {
            return all(KafkaError.clusterAuthorizationFailed, "not authorized to ALTER the cluster")
        }
        var results = r.creations.map { _ in CreateAclsResponse.AclCreationResult(errorCode: KafkaError.none, errorMessage: nil) }
        var valid: [(index: Int, acl: AclBinding)] = []
        for (index, creation) in r.creations.enumerated() {
            do {
                valid.append((index, try Self.binding(creation)))
            } catch {
                results[index] = .init(errorCode: KafkaError.invalidRequest, errorMessage: error.description)
            }
        }
        guard !valid.isEmpty else { return CreateAclsResponse(results: results) }
        do {
            try accessControl.update(actor: session.auditActor) { (acls: inout [AclBinding]) throws(WharfError) in
                let new = Set(valid.map(\.acl)).subtracting(acls)
                guard acls.count + new.count <= Self.maxAcls else {
                    throw .policyViolation("at most \(Self.maxAcls) ACLs (there are \(acls.count))")
                }
                acls += new
            }
        } catch {
            let code = if case .policyViolation = error { KafkaError.policyViolation } else { KafkaError.kafkaStorageError }
            // A write that failed is recorded by the store; a refusal before it, here.
            if case .policyViolation = error {
                accessControl.settings.store.recordChanges(session.auditActor, added: valid.map(\.acl), removed: [], result: "\(error)")
            }
            for (index, _) in valid { results[index] = .init(errorCode: code, errorMessage: error.description) }
        }
        return CreateAclsResponse(results: results)
    }

    func deleteAcls(_ r: DeleteAclsRequest, session: ConnectionSession) -> DeleteAclsResponse {
        func all(_ code: Int16, _ message: String) -> DeleteAclsResponse {
            DeleteAclsResponse(filterResults: r.filters.map { _ in .init(errorCode: code, errorMessage: message, matchingAcls: []) })
        }
        guard let accessControl else { return all(KafkaError.securityDisabled, Self.securityDisabledMessage) }
        guard accessCheck(accessControl, session: session).allowsCluster(.alter) else {
            return all(KafkaError.clusterAuthorizationFailed, "not authorized to ALTER the cluster")
        }
        var results = r.filters.map { _ in DeleteAclsResponse.DeleteAclsFilterResult(errorCode: KafkaError.none, errorMessage: nil, matchingAcls: []) }
        var filters: [(index: Int, filter: AclBindingFilter)] = []
        for (index, f) in r.filters.enumerated() {
            do {
                filters.append((index, try AclBindingFilter(
                    wireResourceType: f.resourceTypeFilter, resourceName: f.resourceNameFilter, wirePatternType: f.patternTypeFilter,
                    principal: f.principalFilter, host: f.hostFilter, wireOperation: f.operation, wirePermission: f.permissionType)))
            } catch {
                results[index] = .init(errorCode: KafkaError.invalidRequest, errorMessage: error.description, matchingAcls: [])
            }
        }
        do {
            let removed = try accessControl.update(actor: session.auditActor) { (acls: inout [AclBinding]) throws(WharfError) -> [(Int, [AclBinding])] in
                let matched = filters.map { ($0.index, acls.filter($0.filter.matches).sorted()) }
                let gone = Set(matched.flatMap(\.1))
                acls.removeAll { gone.contains($0) }
                return matched
            }
            for (index, acls) in removed {
                results[index].matchingAcls = acls.map {
                    .init(errorCode: KafkaError.none, errorMessage: nil, resourceType: $0.resourceType.rawValue, resourceName: $0.resourceName,
                          patternType: $0.patternType.rawValue, principal: $0.principal, host: $0.host,
                          operation: $0.operation.rawValue, permissionType: $0.permission.rawValue)
                }
            }
        } catch {
            for (index, _) in filters { results[index] = .init(errorCode: KafkaError.kafkaStorageError, errorMessage: error.description, matchingAcls: []) }
        }
        return DeleteAclsResponse(filterResults: results)
    }

    /// A creation from the wire as a validated ACL; ANY, MATCH, UNKNOWN and codes Kafka does
    /// not know are refused (Kafka's INVALID_REQUEST).
    static func binding(_ c: CreateAclsRequest.AclCreation) throws(WharfError) -> AclBinding {
        guard let type = AclResourceType(rawValue: c.resourceType) else { throw .invalidArgument("invalid resource type \(c.resourceType)") }
        guard let pattern = AclPatternType(rawValue: c.resourcePatternType) else {
            throw .invalidArgument("invalid pattern type \(c.resourcePatternType)")
        }
        guard let operation = AclOperation(rawValue: c.operation) else { throw .invalidArgument("invalid operation \(c.operation)") }
        guard let permission = AclPermission(rawValue: c.permissionType) else {
            throw .invalidArgument("invalid permission type \(c.permissionType)")
        }
        return try AclBinding(resourceType: type, resourceName: c.resourceName, patternType: pattern, principal: c.principal,
                              host: c.host, operation: operation, permission: permission).validated()
    }
}
