import ArgumentParser
import WharfAMQPServer

/// The AMQP 1.0 (Azure Service Bus) listener's flags, declared once for every command that
/// listens (issue 15): on by default on 127.0.0.1:5672, the emulator's port.
struct AMQPListenerOptions: ParsableArguments {
    private static let defaults = AMQPListenerLimits()

    @Flag(name: .customLong("amqp"), inversion: .prefixedNo,
          help: "Serve Azure Service Bus clients (AMQP 1.0) on --amqp-listen.")
    var enabled = true
    static let defaultListen = "127.0.0.1:5672"
    /// nil: the default address, which may be taken (by the emulator, or another Wharf); then
    /// the command runs on without AMQP and says so. An address given explicitly must bind.
    @Option(name: .customLong("amqp-listen"),
            help: ArgumentHelp("Address of the AMQP listener (plain TCP, like the Service Bus emulator). Default 127.0.0.1:5672.", valueName: "host:port"))
    var explicitListen: String?
    var listen: String { explicitListen ?? Self.defaultListen }
    var isExplicit: Bool { explicitListen != nil }
    @Option(name: .customLong("amqp-max-connections"), help: "AMQP clients connected at once; the next connection is closed at once.")
    var maxConnections = defaults.maxConnections
    @Option(name: .customLong("amqp-max-message-size"), help: "Largest message (or batch) a client may send, in bytes (1 KiB to 100 MiB).")
    var maxMessageSize = defaults.maxMessageSize
    @Option(name: .customLong("amqp-max-frame-size"), help: "The max-frame-size Wharf announces and enforces.")
    var maxFrameSize = defaults.maxFrameSize
    @Option(name: .customLong("amqp-idle-timeout-ms"), help: "The idle-time-out Wharf announces; a client silent for twice as long is disconnected.")
    var idleTimeoutMs = defaults.idleTimeoutMs
    var hostAndPort: (host: String, port: Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let host = String(listen[..<colon])
        return host.isEmpty ? nil : (host, port)
    }

    var configuration: AMQPServer.Configuration {
        var c = AMQPServer.Configuration()
        if let (host, port) = hostAndPort { (c.host, c.port) = (host, port) }
        c.limits.maxConnections = maxConnections
        c.limits.maxMessageSize = maxMessageSize
        c.limits.maxFrameSize = maxFrameSize
        c.limits.idleTimeoutMs = idleTimeoutMs
        return c
    }

    /// What the listener plan holds: nil with --no-amqp.
    var request: ListenerPlan.Listener<AMQPServer.Configuration>? {
        enabled ? ListenerPlan.Listener(configuration, isExplicit: isExplicit) : nil
    }

    func validate() throws {
        guard hostAndPort != nil else { throw ValidationError("--amqp-listen must be host:port, got '\(listen)'") }
        if let problem = configuration.limits.problem { throw ValidationError(problem) }
    }
}
