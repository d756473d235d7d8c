import WharfCore

/// Which ACLs a DescribeAcls or DeleteAcls request (or `wharf acl list|remove`) means: Kafka's
/// `AclBindingFilter`. Every nil field matches anything (Kafka's null name, principal and host,
/// and its ANY type, operation and permission).
public struct AclBindingFilter: Sendable, Hashable {
    /// How the filter's name meets an ACL's pattern.
    public enum PatternFilter: Sendable, Hashable {
        /// ANY: every pattern whose name equals the filter's name.
        case any
        /// MATCH: every pattern that covers the filter's name (the literal name, literal `*`,
        /// and every prefix of it), which is what applies to that resource.
        case match
        /// LITERAL or PREFIXED: that pattern type and exactly that name.
        case exactly(AclPatternType)
    }

    public var resourceType: AclResourceType?
    public var resourceName: String?
    public var pattern: PatternFilter
    public var principal: String?
    public var host: String?
    public var operation: AclOperation?
    public var permission: AclPermission?

    public init(resourceType: AclResourceType? = nil, resourceName: String? = nil, pattern: PatternFilter = .any,
                principal: String? = nil, host: String? = nil, operation: AclOperation? = nil, permission: AclPermission? = nil) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.pattern = pattern
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
    }

    /// Matches every ACL.
    public static let all = AclBindingFilter()

    /// The filter in a request's wire codes (resource type 1 = ANY, pattern 1 = ANY, 2 = MATCH,
    /// operation and permission 1 = ANY). UNKNOWN (0) and codes Kafka does not know are
    /// `.invalidArgument` (Kafka answers INVALID_REQUEST).
    public init(wireResourceType: Int8, resourceName: String?, wirePatternType: Int8, principal: String?, host: String?,
                wireOperation: Int8, wirePermission: Int8) throws(WharfError) {
        let any: Int8 = 1
        var filter = AclBindingFilter(resourceName: resourceName, principal: principal, host: host)
        if wireResourceType != any {
            guard let type = AclResourceType(rawValue: wireResourceType) else { throw .invalidArgument("unknown resource type \(wireResourceType)") }
            filter.resourceType = type
        }
        switch wirePatternType {
        case any: filter.pattern = .any
        case 2: filter.pattern = .match
        default:
            guard let type = AclPatternType(rawValue: wirePatternType) else { throw .invalidArgument("unknown pattern type \(wirePatternType)") }
            filter.pattern = .exactly(type)
        }
        if wireOperation != any {
            guard let operation = AclOperation(rawValue: wireOperation) else { throw .invalidArgument("unknown operation \(wireOperation)") }
            filter.operation = operation
        }
        if wirePermission != any {
            guard let permission = AclPermission(rawValue: wirePermission) else { throw .invalidArgument("unknown permission type \(wirePermission)") }
            filter.permission = permission
        }
        self = filter
    }

    public func matches(_ acl: AclBinding) -> Bool {
        if let resourceType, acl.resourceType != resourceType { return false }
        if let principal, acl.principal != principal { return false }
        if let host, acl.host != host { return false }
        if let operation, acl.operation != operation { return false }
        if let permission, acl.permission != permission { return false }
        switch pattern {
        case .any:
            return resourceName.map { $0 == acl.resourceName } ?? true
        case .exactly(let type):
            return acl.patternType == type && (resourceName.map { $0 == acl.resourceName } ?? true)
        case .match:
            guard let resourceName else { return true }
            switch acl.patternType {
            case .literal: return acl.resourceName == resourceName || acl.resourceName == AclBinding.wildcard
            case .prefixed: return resourceName.hasPrefix(acl.resourceName)
            }
        }
    }
}
