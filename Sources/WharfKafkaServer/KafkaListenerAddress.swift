import KafkaProtocol
import WharfTLS

/// One listener as Kafka writes it in `listeners`: `SSL://0.0.0.0:9093`. A bare `host:port`
/// means PLAINTEXT, as Wharf's `--listen` always took it.
public struct KafkaListenerAddress: Sendable, Hashable, CustomStringConvertible {
    public var security: SecurityProtocol
    public var host: String
    public var port: Int

    public init(security: SecurityProtocol = .plaintext, host: String, port: Int) {
        self.security = security
        self.host = host
        self.port = port
    }

    /// `PROTOCOL://host:port` or `host:port`; an empty host is 127.0.0.1, `[::1]` loses its brackets.
    public init?(_ text: String) {
        var rest = Substring(text)
        security = .plaintext
        if let scheme = rest.range(of: "://") {
            guard let named = SecurityProtocol(rawValue: rest[..<scheme.lowerBound].uppercased()) else { return nil }
            security = named
            rest = rest[scheme.upperBound...]
        }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(rest[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.contains("/"), !host.contains(",") else { return nil }
        self.host = host.isEmpty ? "127.0.0.1" : host
        self.port = port
    }

    /// A comma-separated list, Kafka's `listeners` syntax; nil if any entry is malformed or empty.
    public static func list(_ text: String) -> [KafkaListenerAddress]? {
        // Spaces around the commas are tolerated; none is meaningful inside an address.
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0.filter { !$0.isWhitespace }) }
        var listeners: [KafkaListenerAddress] = []
        for entry in entries {
            guard let listener = KafkaListenerAddress(entry) else { return nil }
            listeners.append(listener)
        }
        return listeners.isEmpty ? nil : listeners
    }

    /// Reachable only from this machine: 127.0.0.0/8, ::1 or `localhost`. A wildcard (0.0.0.0,
    /// ::) or any other address lets the network in.
    public var isLoopback: Bool { PlaintextListenerRule.isLoopback(host: host) }

    /// Every interface of the machine (0.0.0.0, ::): clients reach it through different addresses.
    public var isWildcard: Bool { host == "0.0.0.0" || host == "::" || host == "0:0:0:0:0:0:0:0" }

    /// Whether a client is identified before it can read or write: SASL, or TLS that demands
    /// a client certificate signed by the configured CA.
    public func authenticates(clientAuth: TLSClientAuth) -> Bool {
        security.requiresSASL || (security.usesTLS && clientAuth == .required)
    }

    /// Kafka's spelling, with the protocol always shown.
    public var description: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return "\(security.rawValue)://\(shown):\(port)"
    }
}
