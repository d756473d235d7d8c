import Logging
import WharfCore

/// Rebuilding a partition's producer state on open (Kafka's `loadProducerState`).
extension ProducerStateManager {
    /// Loads the newest readable snapshot at or below the log end and replays the batch
    /// headers after it (from the log start when there is none). Snapshots above the log end
    /// (written before an unclean stop cut the log's tail) and unreadable ones are deleted;
    /// recovery then falls back to an older one. Producers whose data is gone expire.
    public static func load(log: PartitionLog, logger: Logger) throws(WharfError) -> ProducerStateManager {
        let end = log.logEndOffset
        var loaded = ProducerStateSnapshot(offset: log.logStartOffset, producers: [:])
        var snapshotOffset: Int64?
        for offset in snapshotOffsets(in: log.directory).reversed() {
            let path = log.directory + "/" + ProducerStateSnapshot.fileName(offset: offset)
            do throws(WharfError) {
                guard offset <= end else { throw .corrupt("producer snapshot \(offset) is past the log end \(end)") }
                guard let bytes = try FileSystem.readFile(path) else { continue }
                loaded = try ProducerStateSnapshot.decode(bytes, offset: offset)
                snapshotOffset = offset
                break
            } catch {
                logger.warning("dropping producer snapshot", metadata: ["path": "\(path)", "reason": "\(error)"])
                try FileSystem.remove(path)
            }
        }
        var producers = loaded.producers
        var transactions = loaded.transactions
        var next = max(loaded.offset, log.logStartOffset)
        do throws(WharfError) {
            while next < end {
                let chunk = try log.read(from: next, maxBytes: 1 << 20)
                let batches = try chunk.bytes.withBytes { (raw) throws(WharfError) in try PartitionTransactions.batches(in: raw) }
                guard let lastBatch = batches.last?.header, lastBatch.nextOffset > next else { break }
                for (h, marker) in batches where h.lastOffset >= next {
                    fold(h, at: h.baseOffset, marker: marker, into: &producers, &transactions)
                }
                next = lastBatch.nextOffset
            }
        } catch {
            // The loader already recovered the log; a closed segment it could not read stays
            // unreadable. Start with what was replayed rather than refuse to open the partition.
            logger.error("producer state replay stopped", metadata: ["directory": "\(log.directory)", "offset": "\(next)", "error": "\(error)"])
        }
        let start = log.logStartOffset
        transactions.expire(below: start)
        return ProducerStateManager(log: log, logger: logger, producers: producers.filter { $0.value.lastOffset >= start },
                                    transactions: transactions, snapshotOffset: snapshotOffset)
    }
}
