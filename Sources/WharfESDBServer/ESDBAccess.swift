import WharfAuth
import WharfESDBProtocol
import WharfEvents

/// Who makes a call on the EventStoreDB listener, as `ESDBAuthentication` established it.
enum ESDBCaller: Sendable, Equatable {
    /// The h2c listener without `--authorize`: EventStoreDB's insecure mode, where every call
    /// runs as an administrator.
    case insecure
    /// A user whose Basic credentials matched over TLS.
    case user(String)
    /// No credentials: may reach Gossip and ServerFeatures only (KurrentDB refuses anonymous
    /// stream access by default).
    case anonymous
}

/// What a stream operation needs, by EventStoreDB's ACL keys.
enum ESDBStreamOperation: String, Sendable {
    case read = "$r"
    case write = "$w"
    case delete = "$d"
    case metadataRead = "$mr"
    case metadataWrite = "$mw"
}

/// What the current call may do. `ESDBAuthentication` sets it for the whole call (a task-local,
/// also around a streaming response's body); the services check it with one line where a stream
/// is read, written or deleted (`ESDBAccess.require`).
struct ESDBAccess: Sendable {
    let caller: ESDBCaller
    /// nil: no `--authorize`; a user may do anything.
    let authorizer: ESDBAuthorizer?
    /// Where a refusal is logged (rate-limited, as the Kafka listener's), with the client's address.
    var log: SecurityEventLog?
    var peer = ""

    /// Outside the listener (the services driven directly by tests) nothing is restricted.
    @TaskLocal static var current = ESDBAccess(caller: .insecure, authorizer: nil)

    /// Refuses with EventStoreDB's AccessDenied unless the current call may do `operation` on
    /// `stream` (a `$$` metadata stream, `$all` and `$ce-` categories included).
    static func require(_ operation: ESDBStreamOperation, on stream: String) throws(ESDBError) {
        let access = current
        guard access.allows(operation, on: stream) else {
            access.log?.authorizationDenied(principal: access.principal, peer: access.peer, operation: operation.rawValue,
                                            resource: "stream:\(stream)", reason: access.authorizer == nil ? "not authenticated" : "no ACL grants it")
            throw .accessDenied
        }
    }

    /// Refuses with AccessDenied unless the current call runs as an administrator: EventStoreDB's
    /// rule for operations on the server rather than on a stream (RestartSubsystem).
    static func requireAdministrator(for operation: String) throws(ESDBError) {
        let access = current
        guard access.isAdministrator else {
            access.log?.authorizationDenied(principal: access.principal, peer: access.peer, operation: operation,
                                            resource: "server", reason: "only $admins may")
            throw .accessDenied
        }
    }

    /// `$admins`: everyone in insecure mode, every user without `--authorize` (a user may do
    /// anything then), the `--super-users` with it; never an anonymous caller.
    var isAdministrator: Bool {
        switch caller {
        case .insecure: true
        case .anonymous: false
        case .user(let name): authorizer.map { $0.admins.contains(name) } ?? true
        }
    }

    /// As the Kafka listener names principals: `User:NAME`, `User:ANONYMOUS`.
    var principal: String {
        switch caller {
        case .user(let name): SaslMechanism.principal(of: name)
        case .anonymous, .insecure: "User:ANONYMOUS"
        }
    }

    func allows(_ operation: ESDBStreamOperation, on stream: String) -> Bool {
        switch caller {
        case .insecure: true
        case .anonymous: false
        case .user(let name): authorizer?.allows(user: name, operation, on: stream) ?? true
        }
    }
}

extension StreamsService {
    /// The stream a read names, as its ACL is looked up: `$all`, a stream or a `$ce-` category.
    static func readTarget(_ options: EventStore_Client_Streams_ReadReq.Options) throws(ESDBError) -> String {
        switch options.streamOption {
        case .all: return StreamName.all
        case .stream(let s): return try ESDBWire.streamName(s.streamIdentifier)
        case nil: throw .badRequest("a read names a stream or $all")
        }
    }
}
