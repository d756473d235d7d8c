import ArgumentParser
import WharfAMQPServer

/// The AMQP 1.0 (Azure Service Bus) listener's flags, declared once for every command that
/// listens (issue 15): on by default on 127.0.0.1:5672, the emulator's port, in plain TCP; with
/// `--amqps-listen`, TLS as Service Bus serves it on 5671 (the certificate from the listener
/// security flags), instead of plain TCP unless `--amqp-listen` is given too.
struct AMQPListenerOptions: ParsableArguments {
    private static let defaults = AMQPListenerLimits()

    @Flag(name: .customLong("amqp"), inversion: .prefixedNo,
          help: "Serve Azure Service Bus clients (AMQP 1.0) on --amqp-listen and/or --amqps-listen.")
    var enabled = true
    static let defaultListen = "127.0.0.1:5672"
    /// nil: the default address, which may be taken (by the emulator, or another Wharf); then
    /// the command runs on without AMQP and says so. An address given explicitly must bind.
    @Option(name: .customLong("amqp-listen"),
            help: ArgumentHelp("Address of the plain-TCP AMQP listener (like the Service Bus emulator). Default 127.0.0.1:5672, unless only --amqps-listen is given.",
                               valueName: "host:port"))
    var explicitListen: String?
    var listen: String { explicitListen ?? Self.defaultListen }
    @Option(name: .customLong("amqps-listen"),
            help: ArgumentHelp("Address of the TLS AMQP listener (as Service Bus serves on 5671), with --tls-cert and --tls-key.", valueName: "host:port"))
    var tlsListen: String?
    @Option(name: .customLong("amqp-max-connections"), help: "AMQP clients connected at once; the next connection is closed at once.")
    var maxConnections = defaults.maxConnections
    @Option(name: .customLong("amqp-max-message-size"), help: "Largest message (or batch) a client may send, in bytes (1 KiB to 100 MiB).")
    var maxMessageSize = defaults.maxMessageSize
    @Option(name: .customLong("amqp-max-frame-size"), help: "The max-frame-size Wharf announces and enforces.")
    var maxFrameSize = defaults.maxFrameSize
    @Option(name: .customLong("amqp-idle-timeout-ms"), help: "The idle-time-out Wharf announces; a client silent for twice as long is disconnected.")
    var idleTimeoutMs = defaults.idleTimeoutMs

    /// `security`: the certificate of the TLS listener and `--allow-plaintext`, as for Kafka.
    func configuration(security: ListenerSecurityOptions) -> AMQPServer.Configuration {
        var c = AMQPServer.Configuration()
        if let plain = AMQPListenAddress(parsing: listen) { (c.host, c.port) = (plain.host, plain.port) }
        c.servesPlaintext = tlsListen == nil || explicitListen != nil
        c.secure = tlsListen.flatMap(AMQPListenAddress.init(parsing:))
        c.tls = security.tls
        c.allowPlaintext = security.allowPlaintext
        c.limits = limits
        return c
    }

    var limits: AMQPListenerLimits {
        var l = AMQPListenerLimits()
        l.maxConnections = maxConnections
        l.maxMessageSize = maxMessageSize
        l.maxFrameSize = maxFrameSize
        l.idleTimeoutMs = idleTimeoutMs
        return l
    }

    /// What the listener plan holds: nil with --no-amqp. Only the default plain address may be
    /// given up when taken.
    func request(security: ListenerSecurityOptions) -> ListenerPlan.Listener<AMQPServer.Configuration>? {
        enabled ? ListenerPlan.Listener(configuration(security: security), isExplicit: explicitListen != nil || tlsListen != nil) : nil
    }

    func validate() throws {
        guard AMQPListenAddress(parsing: listen) != nil else { throw ValidationError("--amqp-listen must be host:port, got '\(listen)'") }
        if let tlsListen, AMQPListenAddress(parsing: tlsListen) == nil {
            throw ValidationError("--amqps-listen must be host:port, got '\(tlsListen)'")
        }
        if let problem = limits.problem { throw ValidationError(problem) }
    }
}
