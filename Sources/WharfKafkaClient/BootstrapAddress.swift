import Foundation

/// One `HOST:PORT` of a `--bootstrap` list.
public struct BootstrapAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
    public var description: String { "\(host):\(port)" }

    /// Parses "h1:9092,h2:9092" (IPv6 as "[::1]:9092"); nil with the reason on bad input.
    public static func parseList(_ text: String) -> Result<[BootstrapAddress], BootstrapParseError> {
        var out: [BootstrapAddress] = []
        for raw in text.split(separator: ",") {
            let item = raw.trimmingCharacters(in: .whitespaces)
            guard let colon = item.lastIndex(of: ":") else { return .failure(.init(message: "'\(item)' is not HOST:PORT")) }
            var host = String(item[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty, let port = Int(item[item.index(after: colon)...]), (1...65535).contains(port) else {
                return .failure(.init(message: "'\(item)' is not HOST:PORT with a port from 1 to 65535"))
            }
            out.append(BootstrapAddress(host: host, port: port))
        }
        guard !out.isEmpty else { return .failure(.init(message: "--bootstrap needs at least one HOST:PORT")) }
        return .success(out)
    }
}

public struct BootstrapParseError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

