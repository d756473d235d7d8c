import ArgumentParser
import WharfESDBServer

/// The EventStoreDB / KurrentDB gRPC listener's flags (issue 20): on by default on
/// 127.0.0.1:2113, the port the clients' `esdb://` URIs default to. Same rule as the AMQP
/// listener: the default address may be taken (by a real EventStoreDB, or another Wharf), then
/// the command runs on without it and says so; an address given explicitly must bind.
struct ESDBListenerOptions: ParsableArguments {
    @Flag(name: .customLong("esdb"), inversion: .prefixedNo,
          help: "Serve EventStoreDB / KurrentDB clients (gRPC) on --esdb-listen: TLS with --tls-cert, else h2c (tls=false).")
    var enabled = true
    static let defaultListen = MetricsAddress(host: "127.0.0.1", port: 2113)
    // MetricsAddress is the project's plain `host:port` argument (no PROTOCOL://).
    @Option(name: .customLong("esdb-listen"),
            help: ArgumentHelp("Address of the EventStoreDB gRPC listener. Default 127.0.0.1:2113.", valueName: "host:port"))
    var explicitListen: MetricsAddress?
    var listen: MetricsAddress { explicitListen ?? Self.defaultListen }
    var isExplicit: Bool { explicitListen != nil }

    /// `security`: from the listener security flags, as for Kafka (`ListenerSecurityOptions.esdb`).
    func configuration(advertisedHost: String?, security: ESDBSecurity) -> ESDBServer.Configuration {
        var c = ESDBServer.Configuration()
        (c.host, c.port) = (listen.host, listen.port)
        c.advertisedHost = advertisedHost
        c.security = security
        return c
    }

    /// What the listener plan holds: nil with --no-esdb.
    func request(advertisedHost: String?, security: ESDBSecurity) -> ListenerPlan.Listener<ESDBServer.Configuration>? {
        enabled ? ListenerPlan.Listener(configuration(advertisedHost: advertisedHost, security: security), isExplicit: isExplicit) : nil
    }
}
