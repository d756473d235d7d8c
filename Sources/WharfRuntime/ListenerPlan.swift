import WharfAMQPServer
import WharfESDBServer
import WharfKafkaServer

/// Which protocol listeners a command serves over its engine (`wharf serve`, the dashboard on a
/// data directory, `wharf demo`): the values the command line decided, never its options.
public struct ListenerPlan: Sendable {
    /// A listener at an address given explicitly (it must bind: a failure stops the command) or
    /// at its default address, which may be taken (by the Service Bus emulator, a real
    /// EventStoreDB, another Wharf): then the command says why and runs on without it.
    public struct Listener<Configuration: Sendable>: Sendable {
        public var configuration: Configuration
        public var isExplicit: Bool

        public init(_ configuration: Configuration, isExplicit: Bool) {
            self.configuration = configuration
            self.isExplicit = isExplicit
        }
    }

    /// nil: `--no-kafka`.
    public var kafka: KafkaServer.Configuration?
    /// serve exists for its Kafka listener, so a failure to bind stops it; the dashboard shows why
    /// in its header and runs on.
    public var kafkaRequired: Bool
    /// How the start line and the header name the bound Kafka listeners.
    public var describeKafka: @Sendable ([KafkaListenerAddress]) -> String
    /// nil: `--no-amqp` (or a read-only dashboard).
    public var amqp: Listener<AMQPServer.Configuration>?
    /// nil: `--no-esdb` (or a read-only dashboard).
    public var esdb: Listener<ESDBServer.Configuration>?

    public init(kafka: KafkaServer.Configuration?, kafkaRequired: Bool, describeKafka: @escaping @Sendable ([KafkaListenerAddress]) -> String,
                amqp: Listener<AMQPServer.Configuration>?, esdb: Listener<ESDBServer.Configuration>?) {
        self.kafka = kafka
        self.kafkaRequired = kafkaRequired
        self.describeKafka = describeKafka
        self.amqp = amqp
        self.esdb = esdb
    }

    /// No listener at all (a dashboard over a cluster).
    public static let none = ListenerPlan(kafka: nil, kafkaRequired: false, describeKafka: { _ in "" }, amqp: nil, esdb: nil)
}
