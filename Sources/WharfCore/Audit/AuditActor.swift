#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Who made a change the audit log records: a local process (the unix user, and the process
/// name and pid, for the CLI, the dashboard and an embedding application) or a Kafka client
/// (its address and authenticated principal, for the wire's admin APIs).
public struct AuditActor: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case process
        case client
    }

    public var kind: Kind
    /// Unix user name (uid when it has none) of a local process.
    public var user: String?
    /// `wharf group`, `wharf dashboard`: the executable and its subcommand.
    public var process: String?
    public var pid: Int32?
    /// `host:port` of a Kafka client.
    public var address: String?
    /// `User:alice`, or `User:ANONYMOUS` on a listener without authentication.
    public var principal: String?

    public init(kind: Kind, user: String? = nil, process: String? = nil, pid: Int32? = nil,
                address: String? = nil, principal: String? = nil) {
        self.kind = kind
        self.user = user
        self.process = process
        self.pid = pid
        self.address = address
        self.principal = principal
    }

    /// This process: computed once (the user, name and pid do not change while it runs).
    public static let thisProcess: AuditActor = {
        let uid = getuid()
        var user = "uid \(uid)"
        if let pw = getpwuid(uid), let name = pw.pointee.pw_name { user = String(cString: name) }
        let args = CommandLine.arguments
        var process = args.first.map { ($0 as NSString).lastPathComponent } ?? ProcessInfo.processInfo.processName
        // The subcommand says which entry point changed something: `wharf group`, `wharf dashboard`.
        if args.count > 1, !args[1].hasPrefix("-") { process += " " + args[1] }
        return AuditActor(kind: .process, user: user, process: process, pid: getpid())
    }()

    public static func client(address: String, principal: String) -> AuditActor {
        AuditActor(kind: .client, address: address, principal: principal)
    }

    /// One line for tables: `alice (wharf group, pid 12)` or `User:bob@10.0.0.5:5123`.
    public var summary: String {
        switch kind {
        case .process: "\(user ?? "?") (\(process ?? "?")\(pid.map { ", pid \($0)" } ?? ""))"
        case .client: "\(principal ?? "?")@\(address ?? "?")"
        }
    }
}
