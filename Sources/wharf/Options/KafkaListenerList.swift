import ArgumentParser
import WharfKafkaServer

/// `--listen` / `--kafka-listen` as Kafka's `listeners` takes them:
/// `PLAINTEXT://127.0.0.1:9092,SSL://0.0.0.0:9093`; a bare `host:port` is PLAINTEXT.
struct KafkaListenerList: ExpressibleByArgument, Sendable {
    var listeners: [KafkaListenerAddress]

    init?(argument: String) {
        guard let listeners = KafkaListenerAddress.list(argument) else { return nil }
        self.listeners = listeners
    }

    /// How `--help` shows a default: as it is typed.
    var defaultValueDescription: String {
        listeners.map { $0.security == .plaintext ? "\($0.host):\($0.port)" : "\($0)" }.joined(separator: ",")
    }

    /// What the start line says: one listener as before (`127.0.0.1:9092`), several with their protocols.
    func describe(_ bound: [KafkaListenerAddress]) -> String {
        if bound.count == 1, bound[0].security == .plaintext { return "\(bound[0].host):\(bound[0].port)" }
        return bound.map(\.description).joined(separator: ", ")
    }
}
