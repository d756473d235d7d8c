import NIOCore

/// Runs a connection's request tasks on the connection's own event loop (the listener's default
/// when `KafkaServer.Configuration.requestExecutor` is nil). The loop already cut the frame out of
/// the socket and will write the answer; handling the request there too saves a thread hand-off
/// each way (socket → worker → socket), and each hand-off costs a wake-up that, on a busy machine,
/// waits for a CPU: the largest part of a record's publish-to-delivery time (issue 17,
/// BENCHMARKS.md). Work that could block the loop is sent elsewhere: `fsync always` waits on the
/// log's syncer thread, an `interval` fdatasync runs there too, and APIs off the record path run
/// on the global executor (`KafkaConnectionHandler.serve`).
final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
