import WharfAuth
import WharfTLS

/// How the EventStoreDB listener secures its calls (issue 20), from the same flags as the
/// Kafka listener's: `--tls-cert`/`--tls-key`/`--tls-ca`/`--tls-client-auth`, `--allow-plaintext`,
/// `--authorize` and `--super-users`.
///
/// - With certificates the listener serves TLS (ALPN h2), as EventStoreDB does when given them,
///   and every call but Gossip and ServerFeatures needs `authorization: Basic` credentials of a
///   data directory user (`wharf user add`); see `ESDBAuthentication`.
/// - Without, it is EventStoreDB's insecure mode (h2c): no authentication, so it may listen only
///   on a loopback address unless `allowPlaintext` (`PlaintextListenerRule`).
/// - `authorize` checks each stream operation against the stream's `$acl` (`ESDBAuthorizer`).
public struct ESDBSecurity: Sendable {
    /// nil: h2c.
    public var tls: ListenerTLSSettings?
    public var allowPlaintext = false
    /// The data directory's users; nil: nobody can log in (a TLS listener then serves only
    /// Gossip and ServerFeatures).
    public var users: UserStore?
    /// Enforce stream ACLs (`--authorize`, as for Kafka). Without it an authenticated user may
    /// do anything, as every caller may in insecure mode.
    public var authorize = false
    /// EventStoreDB's `$admins` role: the users among `--super-users` (`User:NAME`), the one
    /// notion of an administrator across protocols. They pass every check.
    public var admins: Set<String> = []

    public init(tls: ListenerTLSSettings? = nil, allowPlaintext: Bool = false, users: UserStore? = nil,
                authorize: Bool = false, admins: Set<String> = []) {
        self.tls = tls
        self.allowPlaintext = allowPlaintext
        self.users = users
        self.authorize = authorize
        self.admins = admins
    }

    /// The user names among Kafka principals (`User:alice` -> `alice`); other kinds name no user.
    public static func userNames(ofPrincipals principals: some Sequence<String>) -> Set<String> {
        Set(principals.compactMap { $0.hasPrefix("User:") ? String($0.dropFirst("User:".count)) : nil })
    }
}
