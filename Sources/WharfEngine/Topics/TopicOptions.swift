import Foundation
import WharfCore
import WharfStorage

/// Settings of a Service Bus topic, persisted in `<data>/queues/<topic>/topic.json`. A topic
/// stores nothing itself: each send is written to every subscription whose rules match.
public struct TopicOptions: Codable, Equatable, Sendable {
    /// Time to live of messages that ask for more or nothing (nil: forever); subscriptions may clamp further.
    public var defaultTimeToLiveMillis: Int64? = nil
    public var createdAt: Int64 = 0

    public init(defaultTimeToLiveMillis: Int64? = nil) {
        self.defaultTimeToLiveMillis = defaultTimeToLiveMillis
    }

    public func validate() throws(WharfError) {
        if let ttl = defaultTimeToLiveMillis, ttl <= 0 { throw .invalidArgument("default time to live must be positive, got \(ttl) ms") }
    }

    static let fileName = "topic.json"
    static let rulesFileName = "rules.json"
    /// The folder of a topic's subscriptions, spelled as Service Bus addresses spell it.
    static let subscriptionsFolder = "Subscriptions"

    static func load(from directory: String) throws(WharfError) -> TopicOptions {
        try JSONFile.load(TopicOptions.self, from: directory + "/" + fileName)
    }
}

/// Reading and writing the small JSON files of topics (options and rules).
enum JSONFile {
    static func load<T: Decodable>(_ type: T.Type, from path: String) throws(WharfError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .corrupt("cannot read \(path): \(error.localizedDescription)")
        }
    }

    static func save<T: Encodable>(_ value: T, to path: String, files: DurableFile) throws(WharfError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(value) } catch { throw .io("cannot encode \(path): \(error)") }
        try FileSystem.writeFileAtomically(path, Array(data), faults: files.faults)
    }
}

/// Entity paths of subscriptions: `<topic>/Subscriptions/<name>` (the `Subscriptions` segment is
/// matched case-insensitively, as Service Bus does; this spelling is canonical).
public enum SubscriptionNames {
    public static let maxLength = 50
    static let segment = "/subscriptions/"

    public static func path(topic: String, subscription: String) -> String {
        topic + "/" + TopicOptions.subscriptionsFolder + "/" + subscription
    }

    /// (topic, subscription) of a subscription path, or nil.
    public static func parse(_ path: String) -> (topic: String, subscription: String)? {
        guard let r = path.range(of: segment, options: .caseInsensitive) else { return nil }
        let topic = String(path[..<r.lowerBound]), sub = String(path[r.upperBound...])
        guard !topic.isEmpty, !sub.isEmpty, !sub.contains("/") else { return nil }
        return (topic, sub)
    }

    /// `path` with its `Subscriptions` segment in the canonical spelling (other paths unchanged).
    public static func canonical(_ path: String) -> String {
        guard let r = path.range(of: segment, options: .caseInsensitive) else { return path }
        return path.replacingCharacters(in: r, with: "/" + TopicOptions.subscriptionsFolder + "/")
    }

    public static func validate(_ name: String) throws(WharfError) {
        guard name.count <= maxLength, (try? QueueNames.validateQueue(name)) != nil else {
            throw .invalidName("subscription '\(name)' may contain only ASCII letters, digits, '.', '_' and '-' (1-\(maxLength) characters)")
        }
    }
}
