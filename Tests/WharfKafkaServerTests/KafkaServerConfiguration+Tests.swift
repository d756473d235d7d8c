import WharfKafkaServer
import WharfTestSupport

extension KafkaServer.Configuration {
    /// A listener for a test: on 127.0.0.1 port 0 (the system picks a free port), its requests
    /// handled on a thread of its own (`requestExecutor`). While the suites run in parallel the
    /// shared cooperative pool can be hundreds of jobs deep; a test's request must not wait
    /// behind all of them, or its timeouts measure the suite's load instead of the listener.
    static func forTest() -> Self {
        var configuration = Self()
        configuration.port = 0
        configuration.requestExecutor = QueueTaskExecutor()
        return configuration
    }
}
