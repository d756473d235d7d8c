import WharfKafkaServer
import WharfTestSupport

extension KafkaServer.Configuration {
    /// A listener for a test: on 127.0.0.1 port 0 (the system picks a free port), its requests
    /// handled on a thread of its own (`requestExecutor`). While the suites run in parallel the
    /// shared cooperative pool can be hundreds of jobs deep; a test's request must not wait
    /// behind all of them, or its timeouts measure the suite's load instead of the listener.
    /// It runs on NIO's shared event loops: each own loop is a thread and three descriptors, and
    /// the parallel suite starts over a hundred listeners at once.
    static func forTest() -> Self {
        var configuration = Self()
        configuration.port = 0
        configuration.sharesEventLoops = true
        configuration.requestExecutor = QueueTaskExecutor()
        return configuration
    }
}
