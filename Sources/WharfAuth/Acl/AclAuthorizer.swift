/// Kafka's authorization rule (`AclAuthorizer.authorize`, `StandardAuthorizer` in KRaft), pure:
///
/// 1. a super user may do anything;
/// 2. an ACL that DENYs the operation (or ALL) to the principal (or `User:*`) from the host
///    (or `*`) on a pattern covering the resource refuses, whatever allows it;
/// 3. with no ACL at all on the resource (for anyone), the answer is
///    `allowEveryoneIfNoAclFound` (Kafka's `allow.everyone.if.no.acl.found`, default false);
/// 4. otherwise an ACL must ALLOW the operation or one that implies it
///    (`AclOperation.grantedBy`); without one, refused.
///
/// The ACLs are a value, so one authorizer answers many checks of one request consistently.
public struct AclAuthorizer: Sendable, Equatable {
    public var acls: [AclBinding]
    public var superUsers: Set<String>
    public var allowEveryoneIfNoAclFound: Bool

    public init(acls: [AclBinding] = [], superUsers: Set<String> = [], allowEveryoneIfNoAclFound: Bool = false) {
        self.acls = acls
        self.superUsers = superUsers
        self.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound
    }

    /// Why a check was answered as it was (the security log says it).
    public enum Decision: Sendable, Equatable {
        case superUser
        case allowedBy(AclBinding)
        case noAclFound(allowed: Bool)
        case deniedBy(AclBinding)
        case noAllowingAcl

        public var isAllowed: Bool {
            switch self {
            case .superUser, .allowedBy: true
            case .noAclFound(let allowed): allowed
            case .deniedBy, .noAllowingAcl: false
            }
        }
    }

    public func decide(principal: String, host: String, operation: AclOperation, on type: AclResourceType, named name: String) -> Decision {
        if superUsers.contains(principal) { return .superUser }
        var anyOnResource = false
        var allowing: AclBinding?
        let granting = operation.grantedBy
        for acl in acls where acl.covers(type, name) {
            anyOnResource = true
            guard acl.applies(toPrincipal: principal, host: host) else { continue }
            switch acl.permission {
            case .deny where acl.operation == operation || acl.operation == .all:
                return .deniedBy(acl)
            case .allow where allowing == nil && granting.contains(acl.operation):
                allowing = acl
            default:
                break
            }
        }
        if !anyOnResource { return .noAclFound(allowed: allowEveryoneIfNoAclFound) }
        return allowing.map(Decision.allowedBy) ?? .noAllowingAcl
    }

    public func isAllowed(principal: String, host: String, operation: AclOperation, on type: AclResourceType, named name: String) -> Bool {
        decide(principal: principal, host: host, operation: operation, on: type, named: name).isAllowed
    }

    /// Kafka's `authorizeByResourceType` (KIP-679: an idempotent producer needs WRITE on some
    /// topic, not IDEMPOTENT_WRITE on the cluster): whether some resource of `type` could allow
    /// `operation`, i.e. an ALLOW ACL for the principal exists that no DENY on the same or a wider
    /// pattern (literal `*`, or a shorter prefix) cancels.
    public func mayOnSomeResource(principal: String, host: String, operation: AclOperation, of type: AclResourceType) -> Bool {
        if superUsers.contains(principal) { return true }
        let mine = acls.filter { $0.resourceType == type && $0.applies(toPrincipal: principal, host: host) }
        let denies = mine.filter { $0.permission == .deny && ($0.operation == operation || $0.operation == .all) }
        if denies.contains(where: { $0.patternType == .literal && $0.resourceName == AclBinding.wildcard }) { return false }
        let allows = mine.filter { $0.permission == .allow && ($0.operation == operation || $0.operation == .all) }
        for allow in allows {
            let cancelled = denies.contains { deny in
                switch (deny.patternType, allow.patternType) {
                case (.literal, .literal): deny.resourceName == allow.resourceName
                case (.prefixed, _): allow.resourceName.hasPrefix(deny.resourceName)
                case (.literal, .prefixed): false
                }
            }
            if !cancelled { return true }
        }
        // No ACL of this type at all: Kafka falls back to allow.everyone.if.no.acl.found.
        return allowEveryoneIfNoAclFound && !acls.contains { $0.resourceType == type }
    }
}
