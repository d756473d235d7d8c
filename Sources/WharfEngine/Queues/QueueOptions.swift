import Foundation
import WharfCore
import WharfStorage

/// Settings of a queue (Service Bus `CreateQueueOptions`), persisted in
/// `<data>/queues/<name>/queue.json` (pretty JSON, written atomically: temporary file, fsync,
/// rename). Durations are milliseconds. The dead-letter subqueue has no file of its own: it
/// exists with its queue and uses the queue's lock duration.
public struct QueueOptions: Codable, Equatable, Sendable {
    public static let defaultLockDuration: Int64 = 60_000
    public static let maxLockDuration: Int64 = 5 * 60_000
    public static let defaultDuplicateDetectionWindow: Int64 = 10 * 60_000
    /// Service Bus: 20 s to 7 days.
    public static let duplicateDetectionWindowRange: ClosedRange<Int64> = 20_000...(7 * 24 * 3_600_000)

    /// Peek-lock duration (default 60 s, at most 5 min).
    public var lockDurationMillis: Int64 = defaultLockDuration
    /// Deliveries allowed before the broker dead-letters with `MaxDeliveryCountExceeded` (>= 1).
    public var maxDeliveryCount: Int = 10
    /// Time to live of messages that ask for more or nothing (nil: forever).
    public var defaultTimeToLiveMillis: Int64? = nil
    /// Expired messages go to the dead-letter queue (`TTLExpiredException`) instead of being dropped.
    public var deadLetteringOnMessageExpiration = false
    /// Every message needs a session id; receivers must accept a session.
    public var requiresSession = false
    /// Drop sends whose message id was seen within the window.
    public var requiresDuplicateDetection = false
    public var duplicateDetectionWindowMillis: Int64 = defaultDuplicateDetectionWindow
    /// Messages sent to this queue go to that queue instead (auto-forwarding).
    public var forwardTo: String? = nil
    /// Dead-lettered messages of this queue go to that queue instead of the dead-letter subqueue.
    public var forwardDeadLetteredMessagesTo: String? = nil
    public var createdAt: Int64 = 0

    public init(lockDurationMillis: Int64 = defaultLockDuration, maxDeliveryCount: Int = 10,
                defaultTimeToLiveMillis: Int64? = nil, deadLetteringOnMessageExpiration: Bool = false,
                requiresSession: Bool = false, requiresDuplicateDetection: Bool = false,
                duplicateDetectionWindowMillis: Int64 = defaultDuplicateDetectionWindow,
                forwardTo: String? = nil, forwardDeadLetteredMessagesTo: String? = nil) {
        self.lockDurationMillis = lockDurationMillis
        self.maxDeliveryCount = maxDeliveryCount
        self.defaultTimeToLiveMillis = defaultTimeToLiveMillis
        self.deadLetteringOnMessageExpiration = deadLetteringOnMessageExpiration
        self.requiresSession = requiresSession
        self.requiresDuplicateDetection = requiresDuplicateDetection
        self.duplicateDetectionWindowMillis = duplicateDetectionWindowMillis
        self.forwardTo = forwardTo
        self.forwardDeadLetteredMessagesTo = forwardDeadLetteredMessagesTo
    }

    /// Throws `.invalidArgument` naming the first out-of-range setting.
    public func validate() throws(WharfError) {
        guard lockDurationMillis > 0, lockDurationMillis <= Self.maxLockDuration else {
            throw .invalidArgument("lock duration must be between 1 ms and 5 minutes, got \(lockDurationMillis) ms")
        }
        guard maxDeliveryCount >= 1 else { throw .invalidArgument("max delivery count must be at least 1, got \(maxDeliveryCount)") }
        if let ttl = defaultTimeToLiveMillis, ttl <= 0 { throw .invalidArgument("default time to live must be positive, got \(ttl) ms") }
        if requiresDuplicateDetection, !Self.duplicateDetectionWindowRange.contains(duplicateDetectionWindowMillis) {
            throw .invalidArgument("duplicate detection window must be between 20 s and 7 days, got \(duplicateDetectionWindowMillis) ms")
        }
        if requiresSession, forwardTo != nil {
            throw .invalidArgument("auto-forwarding is not supported on session-enabled queues")
        }
    }

    static let fileName = "queue.json"

    static func load(from directory: String) throws(WharfError) -> QueueOptions {
        let path = directory + "/" + fileName
        do {
            return try JSONDecoder().decode(QueueOptions.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .corrupt("cannot read queue options \(path): \(error.localizedDescription)")
        }
    }

    func save(to directory: String, files: DurableFile) throws(WharfError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch { throw .io("cannot encode queue options: \(error)") }
        try FileSystem.writeFileAtomically(directory + "/" + Self.fileName, Array(data), faults: files.faults)
    }
}

/// Entity names: `<queue>` and `<queue>/$deadletterqueue` (the suffix is matched case-insensitively,
/// as Service Bus does; the canonical spelling is `$deadletterqueue`).
public enum QueueNames {
    public static let deadLetterSuffix = "/$deadletterqueue"

    public static func validateQueue(_ name: String) throws(WharfError) {
        do { try Names.validateTopic(name) } catch {
            throw .invalidName("queue '\(name)' may contain only ASCII letters, digits, '.', '_' and '-' (1-249 characters)")
        }
    }

    /// The dead-letter subqueue path of `queue`.
    public static func deadLetter(of queue: String) -> String { queue + deadLetterSuffix }

    /// Splits an entity path into its queue and whether it names the dead-letter subqueue.
    public static func parse(_ entity: String) -> (queue: String, isDeadLetter: Bool) {
        let lower = entity.lowercased()
        if lower.hasSuffix(deadLetterSuffix) { return (String(entity.dropLast(deadLetterSuffix.count)), true) }
        return (entity, false)
    }
}
