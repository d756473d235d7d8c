/// One protocol listener the process serves beside the dashboard, as the header shows it:
/// `kafka: 127.0.0.1:9092 · 2 clients`, `amqp: 127.0.0.1:5672 · 1 client`, `grpc: off: …`.
public struct ListenerStatus: Equatable, Sendable {
    /// The protocol's short name: `kafka`, `amqp` or `grpc`.
    public var name: String
    /// Where it listens and how many clients it holds, or why it is off.
    public var state: String

    public init(name: String, state: String) {
        self.name = name
        self.state = state
    }
}
