import Foundation
import KafkaProtocol
import Logging
import Testing
import WharfCore
import WharfEngine
import WharfTestSupport
@testable import WharfKafkaServer

/// Hostile Produce requests over the real listener (raw frames, batches with valid CRCs): each
/// gets Kafka's error code, nothing of it is stored, and the broker keeps serving, also after
/// the engine is reopened from disk (audit findings 1, 2, 4, 6; issue 13).
@Suite struct HostileProduceTests {
    static let start: Int64 = 1_800_000_000_000

    /// An engine on a manual clock behind a `KafkaServer` on 127.0.0.1, port 0.
    final class Broker {
        let dir = NSTemporaryDirectory() + "wharf-hostile-\(UUID().uuidString)"
        let clock = ManualClock(HostileProduceTests.start)
        var engine: Engine
        var server: KafkaServer
        var port = 0

        init() async throws {
            engine = try Self.openEngine(dir, clock)
            server = KafkaServer(engine: engine, configuration: Self.configuration, logger: Logger(label: "test"))
            port = try await server.start()
        }

        static var configuration: KafkaServer.Configuration {
            let c = KafkaServer.Configuration.forTest()
            return c
        }

        static func openEngine(_ dir: String, _ clock: ManualClock) throws -> Engine {
            var config = EngineConfig(dataDirectory: dir, fsync: .never)
            // Tiny segments, so a few batches roll them (below the 1 MiB floor clients are held to).
            config.minSegmentBytes = 1024
            return try Engine.open(config: config, clock: clock, logger: Logger(label: "test"))
        }

        /// Stops the listener, closes the engine, opens both again over the same files.
        func restart() async throws {
            await server.stop()
            try engine.close()
            engine = try Self.openEngine(dir, clock)
            server = KafkaServer(engine: engine, configuration: Self.configuration, logger: Logger(label: "test"))
            port = try await server.start()
        }

        func stop() async {
            await server.stop()
            try? engine.close()
            try? FileManager.default.removeItem(atPath: dir)
        }

        /// One Produce v7 of `records` to `topic`/0 over a fresh connection: (error code, base offset).
        func produce(_ topic: String, _ records: [UInt8]) async throws -> (code: Int16, baseOffset: Int64) {
            let body = KafkaRequestBody.produce(ProduceRequest(acks: -1, timeoutMs: 1000, topicData: [.init(name: topic, partitionData: [.init(index: 0, records: records)])]))
            let request = KafkaRequest(header: RequestHeader(requestApiKey: 0, requestApiVersion: 7, correlationId: 9, clientId: "hostile"), body: body)
            // The round trip blocks on its socket, so it runs on a thread of its own: on the pool it
            // would hold a thread the server's request handling needs.
            let port = self.port, frame = request.encodedFrame()
            let reply = try await offThePool { try RawConnection(port: port).roundTrip(frame) }
            guard case .produce(let r) = try KafkaResponse.decode(reply, apiKey: .produce, version: 7).body,
                  let p = r.responses.first?.partitionResponses.first else { throw WharfError.malformed("not a produce response") }
            return (p.errorCode, p.baseOffset)
        }

        func values(_ topic: String) throws -> [String] {
            try engine.readRecords(topic: topic, partition: 0, from: 0, maxRecords: 10_000).map { String(decoding: $0.value ?? [], as: UTF8.self) }
        }
    }

    /// A blocking TCP connection to the listener (so the test sends exactly the bytes it wants).
    struct RawConnection {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard ok == 0 else { close(fd); throw WharfError.io("connect failed") }
            var tv = timeval(tv_sec: Int(RawKafkaSocket.patience.components.seconds), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }

        /// Sends a whole frame, returns the response payload (after its size prefix), then closes.
        func roundTrip(_ frame: [UInt8]) throws -> [UInt8] {
            defer { close(fd) }
            var sent = 0
            while sent < frame.count {
                let n = frame.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw WharfError.io("send failed") }
                sent += n
            }
            let size = try read(4).withUnsafeBytes { Int($0.loadBigEndian(at: 0, as: Int32.self)) }
            return try read(size)
        }

        func read(_ count: Int) throws -> [UInt8] {
            var out = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
                if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    throw WharfError.io("no answer within \(RawKafkaSocket.patience) (\(got) of \(count) bytes read)")
                }
                guard n > 0 else { throw WharfError.io("connection closed after \(got) of \(count) bytes (did the broker die?)") }
                got += n
            }
            return out
        }
    }

    static func good(_ value: String, at time: Int64 = start) -> [UInt8] {
        RecordBatchBuilder.encode([Record(key: nil, value: Array(value.utf8), timestamp: time)], defaultTimestamp: time)
    }

    /// After the hostile requests: a good produce lands right after `expected`, and both it and
    /// everything before survive a reopen from disk.
    static func expectStillServing(_ b: Broker, topic: String, expected: [String]) async throws {
        #expect(try await b.produce(topic, good("after")) == (0, Int64(expected.count)))
        try await b.restart()
        #expect(try b.values(topic) == expected + ["after"])
        #expect(try await b.produce(topic, good("after restart")) == (0, Int64(expected.count + 1)))
    }

    /// Finding 1: three back-to-back batches with lastOffsetDelta = Int32.max (the first two past
    /// an index interval) trapped in `UInt32(...)`; one such batch pushed the log end by 2^31.
    @Test func batchesThatClaimMoreOffsetsThanRecordsAreRefused() async throws {
        let b = try await Broker()
        do {
            try b.engine.createTopic("orders", .init(partitions: 1))
            #expect(try await b.produce("orders", Self.good("before")) == (0, 0))
            var huge = HostileRecordBatch(count: 1, baseTimestamp: Self.start)
            huge.records[0].value = [UInt8](repeating: 0x61, count: 4200)
            huge.lastOffsetDelta = .max
            let three = huge.encoded() + huge.encoded() + huge.encoded()
            #expect(try await b.produce("orders", three).code == KafkaError.invalidRecord)
            #expect(try await b.produce("orders", huge.encoded()).code == KafkaError.invalidRecord)
            // Two honest batches in one partition's records: Kafka allows exactly one (v2).
            #expect(try await b.produce("orders", Self.good("x") + Self.good("y")).code == KafkaError.invalidRecord)
            #expect(try b.engine.offsets(topic: "orders", partition: 0).logEnd == 1)
            try await Self.expectStillServing(b, topic: "orders", expected: ["before"])
        } catch { await b.stop(); throw error }
        await b.stop()
    }

    /// Finding 2: baseTimestamp Int64.max with delta 1 trapped every later decode.
    @Test func timestampsThatOverflowOrLeaveTheWindowAreInvalidTimestamp() async throws {
        let b = try await Broker()
        do {
            try b.engine.createTopic("orders", .init(partitions: 1))
            var overflow = HostileRecordBatch(count: 1, baseTimestamp: .max)
            overflow.records[0].timestampDelta = 1
            #expect(try await b.produce("orders", overflow.encoded()).code == KafkaError.invalidTimestamp)
            #expect(try await b.produce("orders", Self.good("tomorrow", at: Self.start + 86_400_000)).code == KafkaError.invalidTimestamp)
            #expect(try await b.produce("orders", Self.good("min", at: .min)).code == KafkaError.invalidTimestamp)
            #expect(try b.engine.offsets(topic: "orders", partition: 0).logEnd == 0)
            try await Self.expectStillServing(b, topic: "orders", expected: [])
        } catch { await b.stop(); throw error }
        await b.stop()
    }

    /// Finding 6: a header count of 2^31-1 became a 48 GiB reservation on every decode.
    @Test func malformedRecordsAreInvalidRecordAndCorruptBytesCorruptMessage() async throws {
        let b = try await Broker()
        do {
            try b.engine.createTopic("orders", .init(partitions: 1))
            var bomb = HostileRecordBatch(count: 1, baseTimestamp: Self.start)
            bomb.records[0].headerCount = .max
            #expect(try await b.produce("orders", bomb.encoded()).code == KafkaError.invalidRecord)
            var gap = HostileRecordBatch(count: 2, baseTimestamp: Self.start)
            gap.records[1].offsetDelta = 5
            #expect(try await b.produce("orders", gap.encoded()).code == KafkaError.invalidRecord)
            var badCRC = Self.good("flipped")
            badCRC[badCRC.count - 1] ^= 1
            #expect(try await b.produce("orders", badCRC).code == KafkaError.corruptMessage)
            // A 1 KB snappy batch whose block claims 256 MiB: refused without the 256 MiB buffer.
            var snappy = HostileRecordBatch(count: 1, baseTimestamp: Self.start)
            snappy.attributes = 2
            var claim: [UInt8] = []
            Varint.appendUnsigned(UInt64(256 << 20), to: &claim)
            #expect(try await b.produce("orders", snappy.encoded(section: claim + [UInt8](repeating: 0, count: 1000))).code == KafkaError.corruptMessage)
            var tooBig = HostileRecordBatch(count: 1, baseTimestamp: Self.start)
            tooBig.records[0].value = [UInt8](repeating: 0, count: 9 << 20)
            #expect(try await b.produce("orders", tooBig.encoded()).code == KafkaError.messageTooLarge)
            #expect(try b.engine.offsets(topic: "orders", partition: 0).logEnd == 0)
            try await Self.expectStillServing(b, topic: "orders", expected: [])
        } catch { await b.stop(); throw error }
        await b.stop()
    }

    /// Finding 4 through the wire: a batch claiming maxTimestamp Int64.min is stored with its true
    /// maximum, so the segment it starts cannot poison `rollBaseTime` for the next restart.
    @Test func aClientsMaxTimestampIsReplacedByItsRecordsTrueMaximum() async throws {
        let b = try await Broker()
        do {
            try b.engine.createTopic("orders", .init(partitions: 1, segmentBytes: 1024))
            var poison = HostileRecordBatch(count: 2, baseTimestamp: Self.start)
            poison.maxTimestamp = .min
            #expect(try await b.produce("orders", poison.encoded()) == (0, 0))
            let stored = try b.engine.fetch(topic: "orders", partition: 0, offset: 0).bytes
            #expect(try stored.withUnsafeBytes { try RecordBatchHeader(parsing: $0) }.maxTimestamp == Self.start + 1)
            try await b.restart()
            b.clock.advance(byMillis: 1000)
            #expect(try await b.produce("orders", Self.good("after restart", at: Self.start + 1000)) == (0, 2))
        } catch { await b.stop(); throw error }
        await b.stop()
    }

    /// sarama (1.22) writes maxTimestamp -1: stored as is, time retention took a fresh segment for
    /// ancient and deleted acknowledged data. Stored with the true maximum, it is kept until it
    /// really is older than retention.ms.
    @Test func saramaShapedBatchesAreStoredWithTheirTrueMaxTimestampAndSurviveRetention() async throws {
        let b = try await Broker()
        do {
            try b.engine.createTopic("orders", .init(partitions: 1, retentionMs: 3_600_000, segmentBytes: 1024))
            for i in 0..<20 {
                var batch = HostileRecordBatch(count: 3, baseTimestamp: Self.start)
                batch.maxTimestamp = -1
                for r in 0..<3 { batch.records[r].value = Array("sarama-\(i)-\(r)-".utf8) + [UInt8](repeating: 0x2e, count: 60) }
                #expect(try await b.produce("orders", batch.encoded()).code == 0)
            }
            #expect(try b.engine.describeTopic("orders").partitions[0].segments > 2)
            await b.engine.runMaintenance()
            #expect(try b.engine.offsets(topic: "orders", partition: 0).logStart == 0, "retention deleted acknowledged data")
            try await b.restart()
            await b.engine.runMaintenance()
            #expect(try b.engine.offsets(topic: "orders", partition: 0).logStart == 0)
            #expect(try b.values("orders").count == 60)
            // An hour and a bit later the closed segments really are old: retention applies.
            b.clock.advance(byMillis: 3_600_000 + 2_000)
            await b.engine.runMaintenance()
            #expect(try b.engine.offsets(topic: "orders", partition: 0).logStart > 0)
        } catch { await b.stop(); throw error }
        await b.stop()
    }
}
