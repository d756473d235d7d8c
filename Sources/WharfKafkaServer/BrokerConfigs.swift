import KafkaProtocol

/// Kafka's dynamic broker configuration (KIP-226) as Wharf answers it. Wharf's own broker settings
/// are its command-line options, so an accepted change alters nothing; but a client that sets a
/// dynamic broker config (an admin tool, librdkafka's 0081_admin) gets Kafka's answer: accepted
/// when Kafka would accept it, and Kafka's INVALID_REQUEST and message (Kafka's
/// `DynamicBrokerConfig.validateConfigs`) when Kafka would refuse it. As in Kafka, one refused
/// config refuses the whole resource, and a name Kafka does not know is accepted (plugins have
/// their own configs).
enum BrokerConfigs {
    /// Kafka broker configs that only a restart changes (part of Kafka's
    /// `DynamicConfig.Broker.nonDynamicProps`: the ones an operator is likely to try).
    static let nonDynamic: Set<String> = [
        "broker.id", "node.id", "process.roles", "log.dir", "log.dirs", "zookeeper.connect",
        "controller.quorum.voters", "controller.listener.names", "inter.broker.listener.name",
        "security.inter.broker.protocol", "broker.rack", "num.partitions", "default.replication.factor",
        "auto.create.topics.enable", "delete.topic.enable", "authorizer.class.name",
        "offsets.topic.replication.factor", "offsets.topic.num.partitions",
        "transaction.state.log.replication.factor", "transaction.state.log.num.partitions",
        "group.initial.rebalance.delay.ms", "group.min.session.timeout.ms", "group.max.session.timeout.ms",
    ]

    /// Kafka's `SslConfigs.RECONFIGURABLE_CONFIGS`: dynamic, but only with a listener prefix
    /// (`listener.name.<listener>.ssl.keystore.location`).
    static let perListenerSecurity: Set<String> = [
        "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password",
        "ssl.keystore.key", "ssl.keystore.certificate.chain", "ssl.truststore.type",
        "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.certificates",
    ]

    /// Dynamic configs whose value Kafka checks as a number (type LONG or INT).
    static let numeric: Set<String> = [
        "sasl.kerberos.min.time.before.relogin", "log.retention.ms", "log.retention.bytes",
        "log.segment.bytes", "log.roll.ms", "log.flush.interval.ms", "log.flush.interval.messages",
        "message.max.bytes", "num.io.threads", "num.network.threads", "num.replica.fetchers",
        "background.threads", "log.cleaner.threads", "max.connections", "max.connections.per.ip",
    ]

    /// The error code and message for one broker resource of AlterConfigs or
    /// IncrementalAlterConfigs: `name` is this broker's id or empty (the cluster-wide default);
    /// `configs` the names and values set (a deletion's value is nil).
    static func check(resourceName name: String, configs: [(name: String, value: String?)], nodeId: Int32) -> (Int16, String?) {
        if !name.isEmpty {
            guard let id = Int32(name) else {
                return (KafkaError.invalidRequest, "Broker id must be an integer, but it is: \(name)")
            }
            guard id == nodeId else {
                return (KafkaError.invalidRequest, "Unexpected broker id, expected \(nodeId) or empty string, but received \(name)")
            }
        }
        let names = configs.map(\.name)
        func listed(_ refused: [String]) -> String { "Set(\(refused.sorted().joined(separator: ", ")))" }
        let fixed = names.filter(nonDynamic.contains)
        if !fixed.isEmpty { return (KafkaError.invalidRequest, "Cannot update these configs dynamically: \(listed(fixed))") }
        let unprefixed = names.filter(perListenerSecurity.contains)
        if !unprefixed.isEmpty {
            return (KafkaError.invalidRequest, "These security configs can be dynamically updated only per-listener using the listener prefix: \(listed(unprefixed))")
        }
        for c in configs where numeric.contains(c.name) {
            guard let value = c.value else { continue }
            // Kafka's ConfigDef trims a number before parsing it.
            guard Int64(String(value.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())) != nil else {
                return (KafkaError.invalidRequest, "Invalid value \(value) for configuration \(c.name): Not a number of type LONG")
            }
        }
        return (KafkaError.none, nil)
    }
}
