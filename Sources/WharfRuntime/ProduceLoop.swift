import Foundation
import WharfCore

/// `wharf produce`: lines of a file descriptor (stdin) as records, handed to `append` in batches
/// of `batchSize`, or one at a time from a terminal, so what is typed is sent at once. A line is
/// the value, or with `keySeparator` the key before the first separator and the value after it.
/// `echo` sees where each batch went (`--echo-offsets`).
public struct ProduceLoop {
    /// Where an append put its records: one partition's first and last offset.
    public typealias Placement = (partition: Int32, base: Int64, last: Int64)

    let keySeparator: [UInt8]?
    let headers: [RecordHeader]
    let batchSize: Int

    public init(keySeparator: String?, headers: [RecordHeader], batchSize: Int) {
        self.keySeparator = keySeparator.map { Array($0.utf8) }
        self.headers = headers
        self.batchSize = max(1, batchSize)
    }

    /// The record one line stands for.
    public func record(_ line: [UInt8]) -> Record {
        var key: [UInt8]?
        var value = line
        if let keySeparator, let at = line.firstRange(of: keySeparator) {
            key = Array(line[..<at.lowerBound])
            value = Array(line[at.upperBound...])
        }
        return Record(key: key, value: value, headers: headers)
    }

    /// Reads `fd` to its end; returns how many records were appended.
    public func run(fd: Int32 = 0, echo: (([Placement]) -> Void)? = nil,
                    _ append: ([Record]) async throws -> [Placement]) async throws -> Int {
        let interactive = isatty(fd) == 1
        var pending: [Record] = []
        var count = 0
        func flush() async throws {
            guard !pending.isEmpty else { return }
            let results = try await append(pending)
            count += pending.count
            pending.removeAll(keepingCapacity: true)
            echo?(results)
        }
        var lines = LineReader(fd: fd)
        while let line = lines.next() {
            pending.append(record(line))
            if pending.count >= batchSize || interactive { try await flush() }
        }
        try await flush()
        return count
    }
}
