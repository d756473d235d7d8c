/// A thread that would rather run the group commit's round itself than wake the syncer's thread
/// for it: a job it accepts runs later on that thread, behind the work it already has queued (a
/// Kafka listener's event loop, between its requests). See `LogSyncer` for when a round runs there.
public struct SyncRoundRunner: Sendable {
    private let accept: @Sendable (@escaping @Sendable () -> Void) -> Bool

    /// `accept` queues its job to run later on the caller's thread, after the jobs already queued
    /// there, and says true; or says false (called from elsewhere, or the thread is going away),
    /// and the syncer's own thread does the work instead. An accepted job must run: the syncer
    /// waits for it.
    public init(accept: @escaping @Sendable (@escaping @Sendable () -> Void) -> Bool) {
        self.accept = accept
    }

    func enqueue(_ job: @escaping @Sendable () -> Void) -> Bool { accept(job) }
}
