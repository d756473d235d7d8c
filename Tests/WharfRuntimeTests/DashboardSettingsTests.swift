import Testing
import WharfAMQPServer
import WharfESDBServer
import WharfKafkaServer
import WharfRuntime

/// `--read-only` holds on the dashboard's own listeners, and a dashboard on a cluster has none.
@Suite struct DashboardSettingsTests {
    static let every = ListenerPlan(kafka: KafkaServer.Configuration(), kafkaRequired: false, describeKafka: { _ in "" },
                                    amqp: .init(AMQPServer.Configuration(), isExplicit: false),
                                    esdb: .init(ESDBServer.Configuration(), isExplicit: false))

    @Test func readOnlyRefusesKafkaWritesAndStartsNoWritingListener() {
        let s = DashboardSettings(readOnly: true, refreshMs: 1000, metricsListen: nil, ownListeners: Self.every)
        #expect(s.listeners.kafka?.readOnly == true)
        #expect(s.listeners.amqp == nil && s.listeners.esdb == nil)
    }

    @Test func otherwiseEveryListenerAsPlanned() {
        let s = DashboardSettings(readOnly: false, refreshMs: 1000, metricsListen: nil, ownListeners: Self.every)
        #expect(s.listeners.kafka?.readOnly == false)
        #expect(s.listeners.amqp != nil && s.listeners.esdb != nil)
    }

    @Test func aClusterDashboardHasNoListenersOfItsOwn() {
        let s = DashboardSettings(readOnly: false, refreshMs: 1000, metricsListen: nil, ownListeners: nil)
        #expect(s.listeners.kafka == nil && s.listeners.amqp == nil && s.listeners.esdb == nil)
    }
}
