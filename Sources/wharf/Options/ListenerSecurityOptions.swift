import ArgumentParser
import Foundation
import WharfAuth
import WharfESDBServer
import WharfKafkaServer
import WharfTLS

/// TLS of the SSL and SASL_SSL listeners (and of the EventStoreDB and --amqps-listen listeners), the rule that keeps
/// unauthenticated listeners on loopback, and ACL authorization; shared by `wharf serve` and the
/// dashboard's listeners.
struct ListenerSecurityOptions: ParsableArguments {
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("PEM certificate of the TLS listeners (intermediates may follow).", valueName: "file"))
    var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "file"))
    var tlsKey: String?
    @Option(name: .customLong("tls-ca"), help: ArgumentHelp("PEM CA certificates that client certificates must chain to (mutual TLS).", valueName: "file"))
    var tlsCA: String?
    @Option(name: .customLong("tls-client-auth"),
            help: ArgumentHelp("Ask TLS clients for a certificate: none, requested, or required (mutual TLS; Kafka's ssl.client.auth).",
                               valueName: "none|requested|required"),
            transform: { text in
                guard let mode = TLSClientAuth(rawValue: text.lowercased()) else {
                    throw ValidationError("--tls-client-auth must be none, requested or required")
                }
                return mode
            })
    var tlsClientAuth: TLSClientAuth = .none
    @Flag(name: .customLong("allow-plaintext"),
          help: "Allow listeners that authenticate nobody or carry credentials in clear text (PLAINTEXT, SSL without required client certificates, h2c gRPC, plain AMQP) on non-loopback addresses.")
    var allowPlaintext = false
    @Flag(help: "Check every request against the data directory's ACLs ('wharf acl'), as Kafka's authorizer does.")
    var authorize = false
    @Option(name: .customLong("super-users"),
            help: ArgumentHelp("Principals that pass every ACL check, comma-separated (Kafka's super.users).", valueName: "User:a,User:b"),
            transform: { text in
                let principals = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                for principal in principals where !principal.contains(":") || principal.hasPrefix(":") || principal.hasSuffix(":") {
                    throw ValidationError("--super-users takes principals like User:admin, got '\(principal)'")
                }
                return principals
            })
    var superUsers: [String] = []
    @Flag(name: .customLong("allow-everyone-if-no-acl-found"),
          help: "Let every client use a resource no ACL mentions (Kafka's allow.everyone.if.no.acl.found).")
    var allowEveryoneIfNoAclFound = false

    func validate() throws {
        if !authorize, !superUsers.isEmpty || allowEveryoneIfNoAclFound {
            throw ValidationError("--super-users and --allow-everyone-if-no-acl-found need --authorize")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsCert == nil, tlsCA != nil || tlsClientAuth != .none {
            throw ValidationError("--tls-ca and --tls-client-auth need --tls-cert and --tls-key")
        }
    }

    /// `dataDirectory` holds the ACLs `--authorize` enforces and the users a SASL listener
    /// authenticates (`wharf user add`).
    func apply(to config: inout KafkaServer.Configuration, dataDirectory: String) {
        config.users = UserStore(dataDirectory: dataDirectory)
        if authorize {
            config.authorization = KafkaAuthorization(store: AclStore(dataDirectory: dataDirectory), superUsers: Set(superUsers),
                                                      allowEveryoneIfNoAclFound: allowEveryoneIfNoAclFound)
        }
        config.tls = tls
        config.allowPlaintext = allowPlaintext
    }

    /// The certificate files every TLS listener serves with; nil without --tls-cert.
    var tls: ListenerTLSSettings? {
        guard let tlsCert, let tlsKey else { return nil }
        return ListenerTLSSettings(certificatePath: tlsCert, privateKeyPath: tlsKey, caPath: tlsCA, clientAuth: tlsClientAuth)
    }

    /// The same flags for the EventStoreDB listener: TLS when certificates are given, Basic
    /// credentials against the data directory's users, `--super-users` as `$admins`.
    func esdb(dataDirectory: String) -> ESDBSecurity {
        ESDBSecurity(tls: tls, allowPlaintext: allowPlaintext, users: UserStore(dataDirectory: dataDirectory), authorize: authorize,
                     admins: ESDBSecurity.userNames(ofPrincipals: superUsers))
    }
}
