import ArgumentParser

/// Which listener of the spawned (or given) server a run fuzzes.
enum FuzzProtocol: String, ExpressibleByArgument, CaseIterable {
    /// The Kafka wire protocol: requests built with the generated codec (`FuzzSession`).
    case kafka
    /// AMQP 1.0 as the Service Bus SDKs speak it (`AMQPScripts`).
    case amqp
    /// HTTP/2 and gRPC as the EventStoreDB clients speak it (`H2Scripts`).
    case grpc
}
