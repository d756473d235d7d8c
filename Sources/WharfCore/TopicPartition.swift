/// A partition of a topic: the unit of ordering, storage and consumption.
public struct TopicPartition: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    public var description: String { "\(topic)/\(partition)" }
    public static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
}

/// Kafka's rules for topic and group names, so every name Wharf accepts a Kafka cluster accepts too.
public enum Names {
    public static let maxTopicLength = 249

    public static func validateTopic(_ name: String) throws(WharfError) {
        if name.isEmpty { throw .invalidName("topic name is empty") }
        if name == "." || name == ".." { throw .invalidName("topic name cannot be '.' or '..'") }
        if name.utf8.count > maxTopicLength { throw .invalidName("topic name is longer than \(maxTopicLength) characters") }
        for c in name.utf8 {
            let ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2e || c == 0x5f || c == 0x2d
            if !ok { throw .invalidName("topic '\(name)' may contain only ASCII letters, digits, '.', '_' and '-'") }
        }
    }

    public static func validateGroup(_ name: String) throws(WharfError) {
        if name.isEmpty { throw .invalidName("group id is empty") }
    }
}
