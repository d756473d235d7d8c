import WharfAuth

/// `--authorize`: the listener checks every request against the data directory's ACLs
/// (`AclStore`), as a Kafka broker with `authorizer.class.name` set does.
public struct KafkaAuthorization: Sendable {
    /// Where the ACLs live (CreateAcls and DeleteAcls change it; `wharf acl` too).
    public var store: AclStore
    /// Principals (`User:admin`) that may do anything: Kafka's `super.users`.
    public var superUsers: Set<String>
    /// Kafka's `allow.everyone.if.no.acl.found`: a resource no ACL mentions is open to all.
    public var allowEveryoneIfNoAclFound: Bool

    public init(store: AclStore, superUsers: Set<String> = [], allowEveryoneIfNoAclFound: Bool = false) {
        self.store = store
        self.superUsers = superUsers
        self.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound
    }
}
