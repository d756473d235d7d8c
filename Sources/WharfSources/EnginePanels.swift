import WharfEngine
import WharfEvents
import WharfProjections

/// The panels only the embedded engine has: Service Bus queues and their dead-letter subqueues,
/// event streams, projections. Over a Kafka cluster they are absent (and so are their
/// capabilities: `SourceCapabilities.kafkaCluster`).
public struct EnginePanels: Sendable {
    public var queues: QueueStore?
    public var events: EventStore?
    public var projections: ProjectionRegistry?

    public init(queues: QueueStore? = nil, events: EventStore? = nil, projections: ProjectionRegistry? = nil) {
        self.queues = queues
        self.events = events
        self.projections = projections
    }
}
