import KafkaProtocol
import WharfAdmin
import WharfEngine
import WharfStorage

/// DescribeLogDirs: the bytes each partition holds on disk, which is how Kafka tools (and Wharf's
/// own cluster dashboard) learn partition sizes over the wire. Wharf has one log directory, the
/// data directory, and is the only replica, so every partition is reported there once.
extension KafkaBroker {
    /// The name DescribeLogDirs gives Wharf's one log directory. Kafka answers its `log.dirs`
    /// path, an operator's choice on a server; Wharf's is usually a private home path
    /// (`/home/alice/.local/share/wharf`), which no client needs: a client can only name the
    /// directory back in the APIs Wharf does not support (AlterReplicaLogDirs). Sizes and
    /// free space are still answered.
    static let logDirectoryName = "wharf-data"

    func describeLogDirs(_ r: DescribeLogDirsRequest) -> DescribeLogDirsResponse {
        let topics: [TopicDescription]
        if let wanted = r.topics {
            // As Kafka does, an unknown topic or partition is left out of the answer, not an error.
            topics = wanted.compactMap { w in
                guard var t = try? engine.describeTopic(w.topic) else { return nil }
                let asked = Set(w.partitions)
                t.partitions = t.partitions.filter { asked.contains($0.partition) }
                return t
            }
        } else {
            topics = engine.describeAllTopics(includeInternal: true)
        }
        var dir = DescribeLogDirsResponse.DescribeLogDirsResult()
        dir.logDir = Self.logDirectoryName
        dir.topics = topics.map { t in
            DescribeLogDirsResponse.DescribeLogDirsTopic(name: t.name, partitions: t.partitions.map { p in
                DescribeLogDirsResponse.DescribeLogDirsPartition(partitionIndex: p.partition, partitionSize: p.sizeBytes,
                                                                 offsetLag: 0, isFutureKey: false)
            })
        }
        // v4: the volume's size and free space; -1 (Kafka's "unknown") when statvfs fails.
        let volume = VolumeSpace.of(engine.config.dataDirectory)
        dir.totalBytes = volume?.totalBytes ?? -1
        dir.usableBytes = volume?.usableBytes ?? -1
        var response = DescribeLogDirsResponse()
        response.results = [dir]
        return response
    }
}
