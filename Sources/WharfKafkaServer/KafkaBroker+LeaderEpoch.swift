import KafkaProtocol
import WharfCore

extension KafkaErrorCode {
    /// UNKNOWN_LEADER_EPOCH: the client names a leader epoch newer than the broker's. (74 is
    /// FENCED_LEADER_EPOCH, "the client's epoch is older": clients react to the two differently.)
    static let unknownLeaderEpoch: Int16 = 75
}

/// OffsetForLeaderEpoch (KIP-101/KIP-320) on a single broker that never changes leader: every
/// partition of every topic incarnation has one leader epoch, 0, from its first offset on (a
/// topic deleted and created again starts at epoch 0 again, as in Kafka). Answers as Kafka's
/// `LeaderEpochFileCache.endOffsetFor` over that one entry:
/// - epoch 0: the log end offset (the end of the latest epoch);
/// - an epoch above 0 (a client that saw a later epoch elsewhere) or -1: UNDEFINED, leader
///   epoch -1 and end offset -1;
/// - a `current_leader_epoch` (v2+) above 0 is UNKNOWN_LEADER_EPOCH (the client is ahead of
///   this broker); -1 skips the check.
extension KafkaBroker {
    static let onlyLeaderEpoch: Int32 = 0

    static func epochEndOffset(_ p: OffsetForLeaderEpochRequest.OffsetForLeaderPartition,
                               logEnd: () throws(WharfError) -> Int64) -> OffsetForLeaderEpochResponse.EpochEndOffset {
        var e = OffsetForLeaderEpochResponse.EpochEndOffset()
        e.partition = p.partition
        e.leaderEpoch = -1
        e.endOffset = -1
        let end: Int64
        do { end = try logEnd() } catch {
            e.errorCode = KafkaError.code(error)
            return e
        }
        if let error = leaderEpochError(current: p.currentLeaderEpoch) {
            e.errorCode = error
            return e
        }
        if p.leaderEpoch == onlyLeaderEpoch {
            e.leaderEpoch = onlyLeaderEpoch
            e.endOffset = end
        }
        return e
    }

    /// Kafka's check of a request's `current_leader_epoch` (Fetch v9+, ListOffsets v4+,
    /// OffsetForLeaderEpoch v2+), made once the partition is known to exist: a negative epoch
    /// (-1, "none", and what older versions decode to) skips it; one newer than the broker's is
    /// UNKNOWN_LEADER_EPOCH. An older one would be FENCED_LEADER_EPOCH, but no epoch below the
    /// only one, 0, exists.
    static func leaderEpochError(current: Int32) -> Int16? {
        current > onlyLeaderEpoch ? KafkaError.unknownLeaderEpoch : nil
    }
}
