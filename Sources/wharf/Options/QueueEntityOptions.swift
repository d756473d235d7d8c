import ArgumentParser
import WharfEngine

/// The settings a queue and a Service Bus subscription are both created with (`queue create`,
/// `servicebus subscription create`: a subscription is a queue fed by its topic's rules).
struct QueueEntityOptions: ParsableArguments {
    @Option(name: .customLong("lock-duration"), help: "Peek-lock duration (max 5m).") var lockDuration = "60s"
    @Option(name: .customLong("max-delivery-count"), help: "Deliveries before a message is dead-lettered.") var maxDeliveryCount = 10
    @Option(name: .customLong("default-ttl"), help: "Time to live of messages sent without one.") var defaultTTL: String?
    @Flag(name: .customLong("dead-letter-on-expiration"), help: "Expired messages go to the dead-letter queue instead of being dropped.")
    var deadLetterOnExpiration = false
    @Flag(name: .customLong("requires-session"), help: "Messages must carry a session id; receivers accept sessions.") var requiresSession = false

    /// These settings; everything else at `QueueOptions`' defaults.
    func queueOptions() throws -> QueueOptions {
        QueueOptions(lockDurationMillis: try parseDurationOption(lockDuration, "--lock-duration"), maxDeliveryCount: maxDeliveryCount,
                     defaultTimeToLiveMillis: try defaultTTL.map { try parseDurationOption($0, "--default-ttl") },
                     deadLetteringOnMessageExpiration: deadLetterOnExpiration, requiresSession: requiresSession)
    }
}
