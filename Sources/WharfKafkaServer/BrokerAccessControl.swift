import Logging
import Synchronization
import WharfAuth
import WharfCore
import WharfStorage

/// The broker's view of the ACLs: an `AclAuthorizer` over the store's content, reloaded when
/// the file changes (`FileStamp`), so `wharf acl add --data` and CreateAcls apply to the next
/// request without a restart. A file that cannot be read fails closed: only super users pass
/// until it is fixed (and the failure is logged once per version of the file).
final class BrokerAccessControl: Sendable {
    let settings: KafkaAuthorization
    private let logger: Logger
    private let cache = Mutex<(stamp: FileStamp?, authorizer: AclAuthorizer)?>(nil)

    init(settings: KafkaAuthorization, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// The authorizer for the ACLs on disk now.
    var authorizer: AclAuthorizer {
        let stamp = settings.store.stamp
        if let cached = cache.withLock({ $0 }), cached.stamp == stamp { return cached.authorizer }
        var authorizer = AclAuthorizer(superUsers: settings.superUsers, allowEveryoneIfNoAclFound: settings.allowEveryoneIfNoAclFound)
        do {
            authorizer.acls = try settings.store.load()
        } catch {
            logger.error("cannot read the ACLs: only super users are authorized until the file is fixed",
                         metadata: ["error": "\(error)"])
            authorizer.allowEveryoneIfNoAclFound = false
        }
        cache.withLock { $0 = (stamp, authorizer) }
        return authorizer
    }

    /// Changes the stored ACLs (each change audited as `actor`'s) and refreshes the cache at once.
    func update<R>(actor: AuditActor, _ change: (inout [AclBinding]) throws(WharfError) -> R) throws(WharfError) -> R {
        let result = try settings.store.update(actor: actor, change)
        cache.withLock { $0 = nil }
        return result
    }
}

/// One request's checks: the ACLs as they were when it arrived, who asks and from where.
/// Denials are written to the security log (rate-limited) unless the check only filters a
/// listing (Metadata of all topics, ListGroups), as Kafka logs those at debug only.
struct AccessCheck {
    let authorizer: AclAuthorizer
    let principal: String
    let host: String
    let peer: String
    let log: SecurityEventLog

    func allows(_ operation: AclOperation, _ type: AclResourceType, _ name: String, logDenial: Bool = true) -> Bool {
        let decision = authorizer.decide(principal: principal, host: host, operation: operation, on: type, named: name)
        if !decision.isAllowed, logDenial {
            log.authorizationDenied(principal: principal, peer: peer, operation: operation.name,
                                    resource: "\(type.name):\(name)", reason: decision.reason)
        }
        return decision.isAllowed
    }

    func allowsCluster(_ operation: AclOperation) -> Bool { allows(operation, .cluster, AclBinding.clusterName) }

    /// Kafka's "CREATE on the cluster, or else on the topic".
    func mayCreate(topic: String) -> Bool {
        allows(.create, .cluster, AclBinding.clusterName, logDenial: false) || allows(.create, .topic, topic)
    }
}

extension AclAuthorizer.Decision {
    var reason: String {
        switch self {
        case .superUser: "super user"
        case .allowedBy(let acl), .deniedBy(let acl): "\(acl)"
        case .noAclFound(let allowed): allowed ? "no ACL found (allow.everyone.if.no.acl.found)" : "no ACL on the resource"
        case .noAllowingAcl: "no ACL allows it"
        }
    }
}
