import WharfCore

/// A transaction marker (Kafka's `EndTransactionMarker`): the control batch the coordinator
/// writes into every partition of a transaction when it ends. Attributes carry the control bit
/// (0x20) and the transactional bit (0x10); the one record's key is version (Int16 0) and type
/// (Int16: 0 abort, 1 commit), its value version (Int16 0) and the coordinator epoch (Int32).
/// Readers skip control batches; read_committed readers use them to end a transaction.
public enum TransactionMarker: Int16, Sendable {
    case abort = 0
    case commit = 1

    static let controlAttributes: Int16 = 0x30

    /// The encoded control batch for producer `producerId` at `epoch` (base offset 0: the log
    /// assigns it). No sequence: a marker is not part of the producer's idempotent sequence.
    public func batch(producerId: Int64, epoch: Int16, timestamp: Int64) -> [UInt8] {
        var key: [UInt8] = []
        key.appendBigEndian(Int16(0))
        key.appendBigEndian(rawValue)
        var value: [UInt8] = []
        value.appendBigEndian(Int16(0))
        value.appendBigEndian(Int32(0))
        var bytes = RecordBatchBuilder.encode([Record(key: key, value: value, timestamp: timestamp)], defaultTimestamp: timestamp,
                                              producerId: producerId, producerEpoch: epoch, baseSequence: -1)
        let size = bytes.count
        bytes.withUnsafeMutableBytes {
            RecordBatchBytes.setTimestamps(attributes: Self.controlAttributes, maxTimestamp: timestamp, in: $0, totalSize: size)
        }
        return bytes
    }

    /// The marker type of the control batch starting at `batch` (its first record's key);
    /// nil when it is not a readable marker (a control batch of another kind, or too short).
    static func of(controlBatch batch: UnsafeRawBufferPointer) -> TransactionMarker? {
        guard batch.count > RecordBatchHeader.size else { return nil }
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: batch[RecordBatchHeader.size...]))
        do throws(WharfError) {
            _ = try reader.readVarlong()  // record length
            _ = try reader.readInt8()  // attributes
            _ = try reader.readVarlong()  // timestamp delta
            _ = try reader.readVarlong()  // offset delta
            guard try reader.readVarlong() >= 4 else { return nil }
            _ = try reader.readInt16()  // key version
            return TransactionMarker(rawValue: try reader.readInt16())
        } catch {
            return nil
        }
    }
}
