import Foundation
import WharfCore
import WharfStorage

/// The shared access keys clients sign SAS tokens with: `<data>/servicebus-keys.json`, mode
/// 0600, replaced atomically. The first use of a data directory creates
/// `RootManageSharedAccessKey` with a random 256-bit key (Service Bus's own default rule name),
/// so a connection string exists before anything is configured. Every key grants Manage, Send
/// and Listen on every entity (per-key claims are not enforced yet).
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

    public func save(_ keys: [String: String]) throws(WharfError) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: OwnerOnly.directoryAttributes)
        } catch {
            throw .io("cannot create \(directory): \(error.localizedDescription)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: Data
        do { bytes = try encoder.encode(KeyFile(keys: keys)) } catch { throw .io("cannot encode \(path): \(error)") }
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

    private struct KeyFile: Codable {
        var format = 1
        var keys: [String: String]
    }
}
