import WharfCore
import WharfStorage

extension Engine {
    /// The notifier a partition signals after every append (any path: the Kafka listener, the
    /// CLI, the dashboard, demo traffic), for readers that wait for new records instead of polling.
    public func appendNotifier(topic: String, partition: Int32) throws(WharfError) -> AppendNotifier {
        try log(topic, partition).appendNotifier
    }
}
