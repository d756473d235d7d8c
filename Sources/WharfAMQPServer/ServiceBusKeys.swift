import Foundation
import WharfCore
import WharfStorage

/// The shared access keys clients sign SAS tokens with: `<data>/servicebus-keys.json`, mode
/// 0600, replaced atomically. The first use of a data directory creates
/// `RootManageSharedAccessKey` with a random 256-bit key (Service Bus's own default rule name),
/// so a connection string exists before anything is configured. Each key has rights (claims):
/// `Manage` (everything), `Send`, `Listen`; a key without a rights entry has all of them (files
/// written before rights existed keep working).
public struct ServiceBusKeys: Sendable {
    public static let fileName = "servicebus-keys.json"
    public static let defaultKeyName = "RootManageSharedAccessKey"
    public let path: String

    public init(dataDirectory: String) {
        path = dataDirectory + "/" + Self.fileName
    }

    /// Key name -> key (the base64 text clients put in `SharedAccessKey=`; its UTF-8 bytes are the HMAC key).
    public func load() throws(WharfError) -> [String: String] {
        guard let bytes = try OwnerOnlyFile.read(path) else { return [:] }
        do {
            return try JSONDecoder().decode(KeyFile.self, from: Data(bytes)).keys
        } catch {
            throw .corrupt("\(path): not a Wharf Service Bus key file (\(error))")
        }
    }

    /// The keys, creating the default key when the file does not exist yet.
    public func loadOrCreateDefault() throws(WharfError) -> [String: String] {
        let keys = try load()
        if !keys.isEmpty { return keys }
        // A file emptied by hand is the operator's choice: no key is made up behind their back.
        guard !FileManager.default.fileExists(atPath: path) else {
            throw .invalidArgument("\(path) holds no keys: add one with `wharf servicebus key add NAME`")
        }
        let created = [Self.defaultKeyName: Self.randomKey()]
        try save(created)
        return created
    }

    /// Adds a key named `name` with a random value and `rights`, and returns the value; nil when
    /// a key of that name exists (nothing changes). Without a key file the default key is created
    /// first, as the first connection string would have.
    public func addKey(_ name: String, rights: Set<ServiceBusRight>) throws(WharfError) -> String? {
        var keys = try load()
        if keys.isEmpty, !FileManager.default.fileExists(atPath: path) { keys = try loadOrCreateDefault() }
        guard keys[name] == nil else { return nil }
        let key = Self.randomKey()
        keys[name] = key
        var all = try loadRights()
        all[name] = rights
        try save(keys, rights: all)
        return key
    }

    /// The rights of every key named in the file (keys not named: all rights).
    public func loadRights() throws(WharfError) -> [String: Set<ServiceBusRight>] {
        guard let bytes = try OwnerOnlyFile.read(path) else { return [:] }
        do {
            return (try JSONDecoder().decode(KeyFile.self, from: Data(bytes)).rights ?? [:]).mapValues { Set($0) }
        } catch {
            throw .corrupt("\(path): not a Wharf Service Bus key file (\(error))")
        }
    }

    /// Writes the keys; `rights` (when given) replaces the stored rights, otherwise they are kept.
    public func save(_ keys: [String: String], rights: [String: Set<ServiceBusRight>]? = nil) throws(WharfError) {
        let kept: [String: Set<ServiceBusRight>]
        if let rights { kept = rights } else { kept = try loadRights() }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: OwnerOnly.directoryAttributes)
        } catch {
            throw .io("cannot create \(directory): \(error.localizedDescription)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: Data
        let stored = kept.filter { keys[$0.key] != nil }.mapValues { $0.sorted { $0.rawValue < $1.rawValue } }
        do { bytes = try encoder.encode(KeyFile(keys: keys, rights: stored.isEmpty ? nil : stored)) } catch { throw .io("cannot encode \(path): \(error)") }
        try OwnerOnlyFile.write(Array(bytes) + [UInt8(ascii: "\n")], to: path)
    }

    /// 32 random bytes in base64, the shape of the keys Azure generates.
    public static func randomKey() -> String {
        var g = SystemRandomNumberGenerator()
        return Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &g) }).base64EncodedString()
    }

    /// The connection string an SDK uses against a listener on `host:port` (reference §1.1).
    public static func connectionString(host: String, port: Int, keyName: String, key: String) -> String {
        "Endpoint=sb://\(host):\(port);SharedAccessKeyName=\(keyName);SharedAccessKey=\(key);UseDevelopmentEmulator=true;"
    }

    /// The port the SDKs dial when they speak TLS (Service Bus's AMQPS port).
    public static let tlsPort = 5671

    /// The connection string an SDK uses against the TLS listener on `host:port`: without
    /// `UseDevelopmentEmulator`, so the SDKs speak TLS, as to Service Bus itself (they ignore the
    /// port and dial 5671, so it is written only when it differs).
    public static func tlsConnectionString(host: String, port: Int, keyName: String, key: String) -> String {
        let endpoint = port == tlsPort ? host : "\(host):\(port)"
        return "Endpoint=sb://\(endpoint);SharedAccessKeyName=\(keyName);SharedAccessKey=\(key);"
    }

    private struct KeyFile: Codable {
        var format = 1
        var keys: [String: String]
        /// Key name -> rights; absent (or a key not in it): all rights.
        var rights: [String: [ServiceBusRight]]?
    }
}

/// A shared access key's claims (Service Bus `AccessRights`). Manage implies Send and Listen.
public enum ServiceBusRight: String, Codable, CaseIterable, Sendable {
    case manage = "Manage", send = "Send", listen = "Listen"

    /// Parses `Listen,Send` (case-insensitive); nil when a name is unknown or the list is empty.
    public static func parseList(_ text: String) -> Set<ServiceBusRight>? {
        var out = Set<ServiceBusRight>()
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces).lowercased()
            guard let r = allCases.first(where: { $0.rawValue.lowercased() == name }) else { return nil }
            out.insert(r)
        }
        return out.isEmpty ? nil : out
    }
}

extension Set where Element == ServiceBusRight {
    /// Do these rights allow `right`?
    public func allows(_ right: ServiceBusRight) -> Bool { contains(.manage) || contains(right) }
}
