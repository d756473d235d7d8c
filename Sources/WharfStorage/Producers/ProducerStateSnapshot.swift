import WharfCore

/// A partition's producer state as of an offset (Kafka's `<offset>.snapshot`): everything
/// idempotent producers appended below `offset`. Recovery loads the newest snapshot at or below
/// the log end and replays the log from there, instead of guessing from a tail.
///
/// File `<20-digit offset>.snapshot` in the partition directory, written atomically (tmp, fsync,
/// rename): CRC-32C of the rest (UInt32), format version (Int16, 1), producer count (Int32), then
/// per producer: id (Int64), epoch (Int16), batch count (Int8, at most `ProducerEntry.kept`), and
/// per batch: first and last sequence (Int32 each), first and last offset (Int64 each).
/// Version 2 (transactions) goes on with the open transactions (count Int32, then producer id
/// and first offset, Int64 each) and the aborted ones (count Int32, then producer id, first and
/// last offset, Int64 each). Version 1 files (no transactions) still load.
struct ProducerStateSnapshot: Equatable {
    static let suffix = ".snapshot"
    static let version: Int16 = 2

    var offset: Int64
    var producers: [Int64: ProducerEntry]
    var transactions = PartitionTransactions()

    init(offset: Int64, producers: [Int64: ProducerEntry], transactions: PartitionTransactions = PartitionTransactions()) {
        self.offset = offset
        self.producers = producers
        self.transactions = transactions
    }

    static func fileName(offset: Int64) -> String {
        let digits = String(offset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// The offset a snapshot file name stands for, nil for any other name.
    static func offset(ofFileName name: String) -> Int64? {
        guard name.hasSuffix(suffix) else { return nil }
        guard let offset = Int64(name.dropLast(suffix.count)), offset >= 0 else { return nil }
        return offset
    }

    func encode() -> [UInt8] {
        var body: [UInt8] = []
        body.appendBigEndian(Self.version)
        body.appendBigEndian(Int32(producers.count))
        for (pid, entry) in producers.sorted(by: { $0.key < $1.key }) {
            body.appendBigEndian(pid)
            body.appendBigEndian(entry.epoch)
            body.appendBigEndian(Int8(entry.batches.count))
            for b in entry.batches {
                body.appendBigEndian(b.firstSequence)
                body.appendBigEndian(b.lastSequence)
                body.appendBigEndian(b.firstOffset)
                body.appendBigEndian(b.lastOffset)
            }
        }
        body.appendBigEndian(Int32(transactions.ongoing.count))
        for (pid, first) in transactions.ongoing.sorted(by: { $0.key < $1.key }) {
            body.appendBigEndian(pid)
            body.appendBigEndian(first)
        }
        body.appendBigEndian(Int32(transactions.aborted.count))
        for a in transactions.aborted {
            body.appendBigEndian(a.producerId)
            body.appendBigEndian(a.firstOffset)
            body.appendBigEndian(a.lastOffset)
        }
        var out: [UInt8] = []
        out.appendBigEndian(CRC32C.checksum(body))
        return out + body
    }

    /// Decodes a snapshot file's bytes; throws `.corrupt` for anything that is not one whole,
    /// checksummed snapshot of this format (every count is checked against the bytes present).
    static func decode(_ bytes: [UInt8], offset: Int64) throws(WharfError) -> ProducerStateSnapshot {
        guard bytes.count >= 10 else { throw .corrupt("producer snapshot \(offset) has only \(bytes.count) bytes") }
        let stored = bytes.withUnsafeBytes { $0.loadBigEndian(at: 0, as: UInt32.self) }
        let body = Array(bytes[4...])
        guard CRC32C.checksum(body) == stored else { throw .corrupt("producer snapshot \(offset) fails its checksum") }
        var producers: [Int64: ProducerEntry] = [:]
        var transactions = PartitionTransactions()
        try body.withBytes { (raw) throws(WharfError) in
            var reader = ByteReader(raw)
            let version = try reader.readInt16()
            guard version == 1 || version == Self.version else { throw .corrupt("producer snapshot \(offset) has unknown version \(version)") }
            let count = try reader.readInt32()
            let smallestEntry = 8 + 2 + 1
            guard count >= 0, Int(count) <= (raw.count - 6) / smallestEntry else {
                throw .corrupt("producer snapshot \(offset) claims \(count) producers")
            }
            for _ in 0..<count {
                let pid = try reader.readInt64()
                let epoch = try reader.readInt16()
                let batchCount = try reader.readInt8()
                guard pid >= 0, (0...Int8(ProducerEntry.kept)).contains(batchCount) else {
                    throw .corrupt("producer snapshot \(offset) has producer \(pid) with \(batchCount) batches")
                }
                var entry = ProducerEntry(epoch: epoch, batches: [])
                for _ in 0..<batchCount {
                    let b = ProducerEntry.Batch(firstSequence: try reader.readInt32(), lastSequence: try reader.readInt32(),
                                                firstOffset: try reader.readInt64(), lastOffset: try reader.readInt64())
                    guard b.firstOffset >= 0, b.firstOffset <= b.lastOffset, b.lastOffset < offset else {
                        throw .corrupt("producer snapshot \(offset) has a batch at offsets \(b.firstOffset)...\(b.lastOffset)")
                    }
                    entry.batches.append(b)
                }
                producers[pid] = entry
            }
            guard version >= 2 else { return }
            let ongoing = try reader.readInt32()
            guard ongoing >= 0, Int(ongoing) <= raw.count / 16 else { throw .corrupt("producer snapshot \(offset) claims \(ongoing) open transactions") }
            for _ in 0..<ongoing {
                let pid = try reader.readInt64()
                let first = try reader.readInt64()
                guard pid >= 0, first >= 0, first < offset else { throw .corrupt("producer snapshot \(offset) has an open transaction at \(first)") }
                transactions.ongoing[pid] = first
            }
            let aborted = try reader.readInt32()
            guard aborted >= 0, Int(aborted) <= raw.count / 24 else { throw .corrupt("producer snapshot \(offset) claims \(aborted) aborted transactions") }
            for _ in 0..<aborted {
                let a = AbortedTransaction(producerId: try reader.readInt64(), firstOffset: try reader.readInt64(), lastOffset: try reader.readInt64())
                guard a.firstOffset >= 0, a.firstOffset <= a.lastOffset, a.lastOffset < offset else {
                    throw .corrupt("producer snapshot \(offset) has an aborted transaction at \(a.firstOffset)...\(a.lastOffset)")
                }
                transactions.aborted.append(a)
            }
        }
        return ProducerStateSnapshot(offset: offset, producers: producers, transactions: transactions)
    }
}
