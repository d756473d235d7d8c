import WharfAdmin
import WharfStorage

extension Engine {
    /// The data directory's volume (statvfs: microseconds, cheap enough for every refresh); nil
    /// when it cannot be read.
    public func logVolume() -> BrokerDescription.Volume? {
        VolumeSpace.of(config.dataDirectory).map { BrokerDescription.Volume(totalBytes: $0.totalBytes, usableBytes: $0.usableBytes) }
    }

    /// The engine as a broker (`wharf broker list`): its own single broker, leading every partition.
    public func describeBroker() -> BrokerDescription {
        .embedded(partitions: describeAllTopics(includeInternal: true).reduce(0) { $0 + $1.partitions.count }, volume: logVolume())
    }
}
