import Foundation

/// Kafka's ACL vocabulary with its wire codes (`org.apache.kafka.common.resource.ResourceType`,
/// `PatternType`, `acl.AclOperation`, `acl.AclPermissionType`) and its upper-case names, which
/// are what `kafka-acls`, the admin clients and Wharf's ACL file print. The filter-only values
/// (ANY, MATCH) are not cases: a stored or checked ACL never holds them (see `AclBindingFilter`).

/// What an ACL protects.
public enum AclResourceType: Int8, Sendable, Hashable, CaseIterable, Comparable {
    case topic = 2, group = 3, cluster = 4, transactionalId = 5

    public var name: String {
        switch self {
        case .topic: "TOPIC"
        case .group: "GROUP"
        case .cluster: "CLUSTER"
        case .transactionalId: "TRANSACTIONAL_ID"
        }
    }

    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = found
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// How an ACL's resource name is matched: the exact name (`*` meaning every name), or a prefix.
public enum AclPatternType: Int8, Sendable, Hashable, CaseIterable, Comparable {
    case literal = 3, prefixed = 4

    public var name: String { self == .literal ? "LITERAL" : "PREFIXED" }

    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = found
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What a principal does to a resource. ALL in an ACL stands for every operation.
public enum AclOperation: Int8, Sendable, Hashable, CaseIterable, Comparable {
    case all = 2, read = 3, write = 4, create = 5, delete = 6, alter = 7, describe = 8, clusterAction = 9
    case describeConfigs = 10, alterConfigs = 11, idempotentWrite = 12

    public var name: String {
        switch self {
        case .all: "ALL"
        case .read: "READ"
        case .write: "WRITE"
        case .create: "CREATE"
        case .delete: "DELETE"
        case .alter: "ALTER"
        case .describe: "DESCRIBE"
        case .clusterAction: "CLUSTER_ACTION"
        case .describeConfigs: "DESCRIBE_CONFIGS"
        case .alterConfigs: "ALTER_CONFIGS"
        case .idempotentWrite: "IDEMPOTENT_WRITE"
        }
    }

    /// Accepts Kafka's names in any case, with `-` for `_` (`describe-configs`).
    public init?(name: String) {
        let wanted = name.uppercased().replacingOccurrences(of: "-", with: "_")
        guard let found = Self.allCases.first(where: { $0.name == wanted }) else { return nil }
        self = found
    }

    /// The operations whose ALLOW also grants this one (Kafka's implied operations): anyone who
    /// may read, write, delete or alter a resource may describe it; altering configs implies
    /// describing them. ALL grants everything. A DENY never spreads this way.
    public var grantedBy: Set<AclOperation> {
        switch self {
        case .describe: [.describe, .read, .write, .delete, .alter, .all]
        case .describeConfigs: [.describeConfigs, .alterConfigs, .all]
        default: [self, .all]
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Whether an ACL grants or refuses. DENY wins over any ALLOW.
public enum AclPermission: Int8, Sendable, Hashable, CaseIterable, Comparable {
    case deny = 2, allow = 3

    public var name: String { self == .deny ? "DENY" : "ALLOW" }

    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = found
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
