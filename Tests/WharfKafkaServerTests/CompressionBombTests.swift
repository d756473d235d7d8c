import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// Decompression bombs over the real listener: a small gzip, lz4 or zstd batch whose records
/// inflate past the partition's bound (`maxDecompressedBytes`, 8 × max.message.bytes) gets
/// CORRUPT_MESSAGE, nothing is stored, and the broker keeps serving. A highly compressible batch
/// within the bound is still accepted.
@Suite struct CompressionBombTests {
    /// One record whose value is `size` zero bytes, the batch compressed with `codec`.
    static func zeros(_ size: Int, _ codec: RecordBatchHeader.Compression) -> [UInt8] {
        let time = HostileProduceTests.start
        let plain = RecordBatchBuilder.encode([Record(key: nil, value: [UInt8](repeating: 0, count: size), timestamp: time)], defaultTimestamp: time)
        return BatchCompression.compressBatch(plain, with: codec)
    }

    @Test func aBatchInflatingPastThePartitionBoundIsRefusedAndTheBrokerKeepsServing() async throws {
        let b = try await HostileProduceTests.Broker()
        do {
            try b.engine.createTopic("bombs", .init(partitions: 1))
            let limits = b.engine.config.defaultLog.batchLimits
            let bound = limits.maxDecompressedBytes
            #expect(bound == 8 * limits.maxBatchBytes && bound < BatchCompression.maxOutput)
            for codec: RecordBatchHeader.Compression in [.gzip, .lz4, .zstd] {
                let bomb = Self.zeros(bound + (1 << 20), codec)
                // Small on the wire, well inside max.message.bytes: only the inflation is wrong.
                #expect(bomb.count < limits.maxBatchBytes / 2, "\(codec): \(bomb.count) bytes")
                #expect(try await b.produce("bombs", bomb).code == KafkaError.corruptMessage, "\(codec)")
            }
            #expect(try b.engine.offsets(topic: "bombs", partition: 0).logEnd == 0)
            // 1000:1 within the bound is an ordinary batch.
            let dense = Self.zeros(4 << 20, .gzip)
            #expect(try await b.produce("bombs", dense) == (0, 0))
            #expect(try b.engine.readRecords(topic: "bombs", partition: 0, from: 0, maxRecords: 1).first?.value?.count == 4 << 20)
            #expect(try await b.produce("bombs", HostileProduceTests.good("after")) == (0, 1))
        } catch {
            await b.stop()
            throw error
        }
        await b.stop()
    }
}
