/// What a committed offset may carry, as Kafka's brokers enforce it (`offset.metadata.max.bytes`,
/// 4096 by default): the engine's coordinator refuses longer metadata, and the requeue bookmark
/// (`RequeueProgress`) keeps to it whichever broker stores it.
public enum OffsetCommitLimits {
    public static let maxMetadataBytes = 4096
}
