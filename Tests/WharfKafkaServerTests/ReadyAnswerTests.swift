import Foundation
import KafkaProtocol
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing
import WharfCore
import WharfEngine
import WharfStorage
@testable import WharfKafkaServer

/// The record path's shortest way (issue 17): a Produce that has nothing to wait for is answered
/// as soon as it is written, and a parked Fetch's timeout lives on its own event loop.
@Suite(.ownThread) struct ReadyAnswerTests {
    static func producePayload(_ value: String) -> [UInt8] {
        let batch = RecordBatchBuilder.encode([Record(key: nil, value: Array(value.utf8))], defaultTimestamp: 1)
        let body = KafkaRequestBody.produce(ProduceRequest(acks: -1, timeoutMs: 5000, topicData: [
            .init(name: "t", partitionData: [.init(index: 0, records: batch)])]))
        return KafkaRequest(header: RequestHeader(requestApiKey: body.apiKey.rawValue, requestApiVersion: 7, correlationId: 3, clientId: "test"),
                            body: body).encodedPayload()
    }

    static func withBroker(_ fsync: FsyncPolicy, faults: FaultInjector? = nil, _ body: (KafkaBroker, Engine) async throws -> Void) async throws {
        let dir = NSTemporaryDirectory() + "wharf-ready-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = EngineConfig(dataDirectory: dir, fsync: fsync)
        config.faults = faults
        let engine = try Engine.open(config: config, logger: Logger(label: "test"))
        defer { try? engine.close() }
        try engine.createTopic("t", .init(partitions: 1))
        try await body(KafkaBroker(engine: engine, configuration: KafkaServer.Configuration(), logger: Logger(label: "test")), engine)
    }

    @Test func aProduceUnderIntervalIsAnsweredWhenWritten() async throws {
        try await Self.withBroker(.interval(milliseconds: 100)) { broker, engine in
            var session = ConnectionSession(peer: "test", connection: nil)
            let started = await broker.start(Self.producePayload("a"), session: &session)
            // Ready at once: the connection writes it without waiting for a later step.
            guard case .ready(.respond(let frame)) = started else { Issue.record("not ready: \(started)"); return }
            let (id, body) = try KafkaResponse.decode(Array(frame.dropFirst(4)), apiKey: .produce, version: 7)
            #expect(id == 3)
            guard case .produce(let r) = body else { Issue.record("not a produce answer"); return }
            #expect(r.responses[0].partitionResponses[0].errorCode == 0)
            #expect(r.responses[0].partitionResponses[0].baseOffset == 0)
            #expect(try engine.offsets(topic: "t", partition: 0).logEnd == 1)
        }
    }

    @Test func aProduceUnderAlwaysWaitsForItsGroupCommit() async throws {
        try await Self.withBroker(.always) { broker, _ in
            var session = ConnectionSession(peer: "test", connection: nil)
            let started = await broker.start(Self.producePayload("a"), session: &session)
            guard case .later = started else { Issue.record("answered before its fdatasync: \(started)"); return }
            guard case .respond = await started.outcome() else { Issue.record("no answer"); return }
        }
    }

    /// Under `always` the group commit's fdatasync starts as soon as the Produce is written, before
    /// anyone waits for its answer: a client with one Produce in flight does not pay the hand-over
    /// of the answer to the connection's writer before the disk starts (issue 17, session 13).
    @Test func aProduceUnderAlwaysStartsItsFdatasyncBeforeItsAnswerWaits() async throws {
        let faults = FaultInjector()
        try await Self.withBroker(.always, faults: faults) { broker, _ in
            // Held fdatasyncs of segment files wait for `releaseSyncs`, and say that they started.
            faults.holdSyncs(pathSuffix: ".log")
            defer { faults.releaseSyncs() }
            var session = ConnectionSession(peer: "test", connection: nil)
            let started = await broker.start(Self.producePayload("a"), session: &session)
            guard case .later = started else { Issue.record("answered before its fdatasync: \(started)"); return }
            // Nobody has asked for the outcome: the fdatasync is under way all the same (a passing
            // run sees it at once; without the request it never starts).
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(10)
            while faults.syncsWaiting == 0, clock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
            #expect(faults.syncsWaiting == 1, "no fdatasync started before the answer waited")
            faults.releaseSyncs()
            guard case .respond(let frame) = await started.outcome() else { Issue.record("no answer"); return }
            let (_, body) = try KafkaResponse.decode(Array(frame.dropFirst(4)), apiKey: .produce, version: 7)
            guard case .produce(let r) = body else { Issue.record("not a produce answer"); return }
            #expect(r.responses[0].partitionResponses[0].errorCode == 0)
        }
    }

    /// On the listener's loop (`syncRounds`), the Produce's group-commit round is queued there,
    /// behind the loop's other work, rather than handed to the syncer's thread; once the loop runs
    /// it, the answer is final (issue 17, session 14).
    @Test func aProduceUnderAlwaysQueuesItsRoundOnTheLoopThatWroteIt() async throws {
        try await Self.withBroker(.always) { broker, engine in
            let jobs = Mutex<[@Sendable () -> Void]>([])
            let loop = SyncRoundRunner { job in
                jobs.withLock { $0.append(job) }
                return true
            }
            var session = ConnectionSession(peer: "test", connection: nil)
            let started = await broker.start(Self.producePayload("a"), session: &session, syncRounds: loop)
            guard case .later = started else { Issue.record("answered before its fdatasync: \(started)"); return }
            #expect(jobs.withLock { $0.count } == 1, "the round waits on the loop")
            #expect(try engine.offsets(topic: "t", partition: 0).logEnd == 0, "not readable before its fdatasync")
            while let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { job() }
            #expect(try engine.offsets(topic: "t", partition: 0).logEnd == 1)
            guard case .respond(let frame) = await started.outcome() else { Issue.record("no answer"); return }
            let (_, body) = try KafkaResponse.decode(Array(frame.dropFirst(4)), apiKey: .produce, version: 7)
            guard case .produce(let r) = body else { Issue.record("not a produce answer"); return }
            #expect(r.responses[0].partitionResponses[0].errorCode == 0)
        }
    }

    /// A Produce whose append wakes a parked Fetch says so (`readyAfterReaders`), so that the
    /// connection lets the Fetch's answer, the records' delivery, go out before its acknowledgement;
    /// with no Fetch parked it is plainly ready.
    @Test func aProduceThatWakesAParkedFetchIsReadyAfterItsReaders() async throws {
        try await Self.withBroker(.interval(milliseconds: 100)) { broker, engine in
            var session = ConnectionSession(peer: "test", connection: nil)
            guard case .ready = await broker.start(Self.producePayload("a"), session: &session) else {
                Issue.record("no Fetch parked: plainly ready"); return
            }
            let fetch = KafkaRequestBody.fetch(FetchRequest(maxWaitMs: 30_000, minBytes: 1, maxBytes: 1 << 20, topics: [
                .init(topic: "t", partitions: [.init(partition: 0, fetchOffset: 1, partitionMaxBytes: 1 << 20)])]))
            let fetchPayload = KafkaRequest(header: RequestHeader(requestApiKey: fetch.apiKey.rawValue, requestApiVersion: 11, correlationId: 4,
                                                                  clientId: "test"), body: fetch).encodedPayload()
            let parked = Task {
                var session = ConnectionSession(peer: "consumer", connection: nil)
                return await broker.start(fetchPayload, session: &session)
            }
            let notifier = try engine.appendNotifier(topic: "t", partition: 0)
            try await FetchWakeOnAppendTests.eventually { notifier.waitingCount == 1 }
            let started = await broker.start(Self.producePayload("b"), session: &session)
            guard case .readyAfterReaders(.respond) = started else { Issue.record("not marked as waking a reader: \(started)"); return }
            guard case .ready(.respond(let frame)) = await parked.value else { Issue.record("the Fetch did not answer"); return }
            guard case .fetch(let fetched) = try KafkaResponse.decode(Array(frame.dropFirst(4)), apiKey: .fetch, version: 11).1 else {
                Issue.record("not a fetch answer"); return
            }
            #expect(!(fetched.responses[0].partitions[0].records ?? []).isEmpty, "woken by the append, with its record")
        }
    }

    /// Runs `body` as a task whose jobs run on `loop`, as a connection's worker does.
    static func onLoop<T: Sendable>(_ loop: any EventLoop, _ body: @escaping @Sendable () async -> T) async -> T {
        await Task(executorPreference: EventLoopTaskExecutor(loop)) { await body() }.value
    }

    @Test func aWaiterOnAnEventLoopTimesOutThroughThatLoopsTimer() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let waiter = AppendWaiter()
        let started = ContinuousClock.now
        let resumedOnLoop = await Self.onLoop(loop) {
            #expect(MultiThreadedEventLoopGroup.currentEventLoop != nil, "what `KafkaBroker.fetch` passes")
            await waiter.wait(timeout: .milliseconds(80), onLoop: MultiThreadedEventLoopGroup.currentEventLoop)
            return loop.inEventLoop
        }
        #expect(ContinuousClock.now - started >= .milliseconds(80), "not before its timeout")
        #expect(waiter.hasFired)
        #expect(resumedOnLoop)
        try await group.shutdownGracefully()
    }

    @Test func aWaiterOnAnEventLoopIsWokenByAnAppendBeforeItsTimeout() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let notifier = AppendNotifier()
        let waiter = AppendWaiter()
        let started = ContinuousClock.now
        let waiting = Task(executorPreference: EventLoopTaskExecutor(loop)) {
            notifier.register(waiter, ifGeneration: notifier.generation)
            await waiter.wait(timeout: .seconds(30), onLoop: MultiThreadedEventLoopGroup.currentEventLoop)
        }
        try await FetchWakeOnAppendTests.eventually { notifier.waitingCount == 1 }
        notifier.signal()
        await waiting.value
        #expect(ContinuousClock.now - started < .seconds(20), "the append woke it, not its 30 s timeout")
        // The loop's timer was cancelled with the wake-up: the loop shuts down at once.
        try await group.shutdownGracefully()
    }

    /// Through the listener with its defaults: a Fetch with nothing to read answers empty once its
    /// max wait passed, its timer on the connection's loop.
    @Test func aParkedFetchAnswersEmptyAfterItsMaxWait() async throws {
        let f = try await RecordPathOnEventLoopTests.Fixture()
        let consumer = try await RawKafkaSocket.connect(port: f.port)
        defer { consumer.close() }
        let sent = ContinuousClock.now
        guard case .fetch(let fetched) = try await consumer.roundTrip(RecordPathOnEventLoopTests.fetch(maxWaitMs: 150), version: 11, correlationId: 4) else {
            Issue.record("not a fetch response"); return
        }
        #expect(ContinuousClock.now - sent >= .milliseconds(150))
        #expect(fetched.responses[0].partitions[0].errorCode == 0)
        #expect((fetched.responses[0].partitions[0].records ?? []).isEmpty)
        await f.tearDown()
    }
}
