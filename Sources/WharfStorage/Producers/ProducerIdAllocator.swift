import Logging
import Synchronization
import WharfCore

/// Hands out producer ids (InitProducerId) that are never handed out twice, across restarts
/// and crashes, as Kafka's ProducerIdManager does with blocks: the start of the next free block
/// is persisted (`producer-id-block` in the data directory, written atomically with fsync)
/// before any id of the current block is handed out, and a restart continues after it.
///
/// File: one line, `<next free block start> <CRC-32C of that decimal text>`.
/// Missing file (a new data directory, or one written by a Wharf without it): start above the
/// highest producer id found in the logs. Unreadable or corrupt file: the same, plus a gap of
/// 2^31 ids: the lost value can only exceed the highest id in the logs by the ids handed out but
/// never written, and a previous run would have to hand out more than two billion of them for
/// an id to come back. Either way the recovery is logged. Ids in the logs from the upper half of
/// the range are ignored: no allocator reaches them, so a client forged them, and following one
/// would let a single batch exhaust the ids for every later InitProducerId.
public final class ProducerIdAllocator: Sendable {
    public static let fileName = "producer-id-block"
    public static let blockSize: Int64 = 1000
    /// Where a new data directory starts (Wharf's ids always began here).
    static let firstId: Int64 = 1000
    static let corruptionGap: Int64 = 1 << 31

    let path: String
    let faults: FaultInjector?
    /// Next id to hand out, and the end of the block reserved on disk.
    private let state: Mutex<(next: Int64, reservedEnd: Int64)>

    init(path: String, next: Int64, faults: FaultInjector? = nil) {
        self.path = path
        self.faults = faults
        state = Mutex((next, next))
    }

    /// Reads the persisted block (see the type's comment for a missing or corrupt file).
    public static func open(dataDirectory: String, highestIdInLogs: Int64, logger: Logger) -> ProducerIdAllocator {
        let path = dataDirectory + "/" + fileName
        let plausible = highestIdInLogs < Int64.max / 2 ? highestIdInLogs : -1
        if plausible != highestIdInLogs {
            logger.warning("ignoring producer id \(highestIdInLogs) found in the logs: no allocator hands out ids that high")
        }
        let aboveLogs = max(firstId, plausible + 1)
        let start: Int64
        do throws(WharfError) {
            if let bytes = try FileSystem.readFile(path) {
                start = max(try parse(bytes), aboveLogs)
            } else {
                if highestIdInLogs >= 0 {
                    logger.notice("no \(fileName): producer ids continue above the highest in the logs", metadata: ["next": "\(aboveLogs)"])
                }
                start = aboveLogs
            }
        } catch {
            let (skipped, overflow) = aboveLogs.addingReportingOverflow(corruptionGap)
            start = overflow ? aboveLogs : skipped
            logger.error("\(fileName) is unreadable: skipping 2^31 producer ids so none is handed out twice",
                         metadata: ["error": "\(error)", "next": "\(start)"])
        }
        return ProducerIdAllocator(path: path, next: start)
    }

    /// A producer id never handed out before by this data directory. Reserves (persists) a new
    /// block first when the current one is used up.
    public func allocate() throws(WharfError) -> Int64 {
        try state.withLock { (s: inout (next: Int64, reservedEnd: Int64)) throws(WharfError) -> Int64 in
            if s.next >= s.reservedEnd {
                let (end, overflow) = s.next.addingReportingOverflow(Self.blockSize)
                guard !overflow else { throw .io("producer ids are exhausted") }
                try FileSystem.writeFileAtomically(path, Self.encode(end), faults: faults)
                s.reservedEnd = end
            }
            defer { s.next += 1 }
            return s.next
        }
    }

    static func encode(_ value: Int64) -> [UInt8] {
        let text = String(value)
        return Array("\(text) \(CRC32C.checksum(Array(text.utf8)))\n".utf8)
    }

    static func parse(_ bytes: [UInt8]) throws(WharfError) -> Int64 {
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let value = Int64(fields[0]), value >= 0, let crc = UInt32(fields[1]),
              CRC32C.checksum(Array(fields[0].utf8)) == crc else {
            throw .corrupt("\(fileName) does not hold a checksummed producer id")
        }
        return value
    }
}
