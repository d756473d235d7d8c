import WharfCore

/// One ACL: who (`principal`, from `host`) may or may not (`permission`) do what (`operation`)
/// to which resources (`resourceType` and `resourceName` read by `patternType`). Kafka's
/// `AclBinding`. Values that reached here passed `validated()`, so a stored or checked ACL is
/// always well formed.
public struct AclBinding: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var resourceType: AclResourceType
    public var resourceName: String
    public var patternType: AclPatternType
    /// `User:NAME`, or `User:*` for every principal.
    public var principal: String
    /// A client IP address, or `*` for every host.
    public var host: String
    public var operation: AclOperation
    public var permission: AclPermission

    /// The name of the one CLUSTER resource (Kafka's `kafka-cluster`).
    public static let clusterName = "kafka-cluster"
    public static let wildcard = "*"
    public static let wildcardPrincipal = "User:*"

    public init(resourceType: AclResourceType, resourceName: String, patternType: AclPatternType = .literal,
                principal: String, host: String = wildcard, operation: AclOperation, permission: AclPermission = .allow) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
    }

    /// The rules Kafka's controller applies before it stores an ACL: a principal `Type:name`,
    /// a host, a resource name (the cluster's is `kafka-cluster`), and no wildcard prefix.
    public func validated() throws(WharfError) -> AclBinding {
        guard let colon = principal.firstIndex(of: ":"), colon != principal.startIndex,
              principal.index(after: colon) != principal.endIndex
        else { throw .invalidArgument("a principal is TYPE:NAME (User:alice), got '\(principal)'") }
        guard !host.isEmpty else { throw .invalidArgument("an ACL's host is an IP address or *") }
        guard !resourceName.isEmpty else { throw .invalidArgument("an ACL's resource name cannot be empty") }
        for text in [principal, host, resourceName] {
            guard text.utf8.count <= 32_767, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidArgument("an ACL's principal, host and resource name are at most 32767 bytes without control characters")
            }
        }
        if resourceType == .cluster, resourceName != Self.clusterName {
            throw .invalidArgument("the CLUSTER resource is named \(Self.clusterName), not '\(resourceName)'")
        }
        if patternType == .prefixed, resourceName == Self.wildcard {
            throw .invalidArgument("a PREFIXED pattern cannot be *: use a LITERAL * for every name")
        }
        return self
    }

    /// Whether this ACL's pattern covers the resource `name` of `type`.
    public func covers(_ type: AclResourceType, _ name: String) -> Bool {
        guard type == resourceType else { return false }
        switch patternType {
        case .literal: return resourceName == Self.wildcard || resourceName == name
        case .prefixed: return name.hasPrefix(resourceName)
        }
    }

    /// Whether this ACL speaks of `principal` connecting from `host`.
    public func applies(toPrincipal principal: String, host: String) -> Bool {
        (self.principal == principal || self.principal == Self.wildcardPrincipal) && (self.host == Self.wildcard || self.host == host)
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.resourceType, a.patternType, a.resourceName, a.principal, a.host, a.operation, a.permission)
            < (b.resourceType, b.patternType, b.resourceName, b.principal, b.host, b.operation, b.permission)
    }

    /// Kafka's `kafka-acls` rendering.
    public var description: String {
        "\(principal) has \(permission.name) permission for operation \(operation.name) from host \(host) on "
            + "\(resourceType.name):\(patternType.name):\(resourceName)"
    }
}

/// Tuples of up to 7 comparable elements compare lexicographically.
private func < <A: Comparable, B: Comparable, C: Comparable, D: Comparable, E: Comparable, F: Comparable, G: Comparable>(
    l: (A, B, C, D, E, F, G), r: (A, B, C, D, E, F, G)
) -> Bool {
    if l.0 != r.0 { return l.0 < r.0 }
    if l.1 != r.1 { return l.1 < r.1 }
    if l.2 != r.2 { return l.2 < r.2 }
    if l.3 != r.3 { return l.3 < r.3 }
    if l.4 != r.4 { return l.4 < r.4 }
    if l.5 != r.5 { return l.5 < r.5 }
    return l.6 < r.6
}

/// An ACL in JSON, with Kafka's upper-case names (`{"resourceType": "TOPIC", "resourceName":
/// "orders", "patternType": "LITERAL", "principal": "User:alice", "host": "*", "operation":
/// "READ", "permission": "ALLOW"}`): the ACL file's entries and `wharf acl list --json`.
/// Decoding checks the names, not the rest: callers validate (`validated()`).
extension AclBinding: Codable {
    private enum CodingKeys: String, CodingKey {
        case resourceType, resourceName, patternType, principal, host, operation, permission
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func named<T>(_ key: CodingKeys, _ parse: (String) -> T?) throws -> T {
            let text = try c.decode(String.self, forKey: key)
            guard let value = parse(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "unknown \(key.stringValue) '\(text)'")
            }
            return value
        }
        self.init(resourceType: try named(.resourceType, AclResourceType.init(name:)), resourceName: try c.decode(String.self, forKey: .resourceName),
                  patternType: try named(.patternType, AclPatternType.init(name:)), principal: try c.decode(String.self, forKey: .principal),
                  host: try c.decode(String.self, forKey: .host), operation: try named(.operation, AclOperation.init(name:)),
                  permission: try named(.permission, AclPermission.init(name:)))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(resourceType.name, forKey: .resourceType)
        try c.encode(resourceName, forKey: .resourceName)
        try c.encode(patternType.name, forKey: .patternType)
        try c.encode(principal, forKey: .principal)
        try c.encode(host, forKey: .host)
        try c.encode(operation.name, forKey: .operation)
        try c.encode(permission.name, forKey: .permission)
    }
}
