import Testing
@testable import WharfDashboard

/// The header names every listener the process serves beside the dashboard (Kafka, AMQP, gRPC)
/// with its client count, in that order; a listener that does not fit is dropped whole.
@Suite struct HeaderListenersTests {
    static let listeners = [
        ListenerStatus(name: "kafka", state: "127.0.0.1:9092 · 2 clients"),
        ListenerStatus(name: "amqp", state: "127.0.0.1:5672 · 1 client"),
        ListenerStatus(name: "grpc", state: "off: address already in use"),
    ]

    static func header(width: Int) -> String {
        var state = DashboardState(capabilities: .all, readOnly: false, width: width, height: 24)
        _ = state.update(.tick(ClusterSnapshot(timeMs: Fixture.start, source: "/var/lib/wharf", listeners: listeners)))
        var canvas = Canvas(width: width, height: 24)
        DashboardRenderer.render(state, into: &canvas)
        return canvas.line(0)
    }

    @Test func everyListenerWithItsClientCountInOrder() {
        let header = Self.header(width: 200)
        #expect(header.contains("/var/lib/wharf │ kafka: 127.0.0.1:9092 · 2 clients │ amqp: 127.0.0.1:5672 · 1 client │ grpc: off: address already in use │ every 1s"),
                "\(header)")
    }

    @Test func listenersThatDoNotFitAreDroppedWhole() {
        let header = Self.header(width: 90)
        #expect(header.contains("kafka: 127.0.0.1:9092 · 2 clients"), "\(header)")
        #expect(!header.contains("amqp") && !header.contains("grpc"), "\(header)")
    }
}
