import WharfCore

/// Group state changes (membership, assignments, deletions) go to `__consumer_offsets` the way
/// commits do: written without suspending, so log order is memory order, and answered only once
/// durable, waited for off the actor. Under `--fsync always` a JoinGroup or SyncGroup therefore
/// neither holds the coordinator nor blocks a thread of the concurrency pool (two wide on a
/// two-core machine) for its fdatasync, and changes that arrive meanwhile share the next one.
///
/// One wait covers every earlier write: the log is one partition, durable in offset order.
extension GroupCoordinator {
    /// Writes group-state records; the caller answers only after `groupStateDurable()`.
    func writeGroupState(_ records: [Record]) throws(WharfError) {
        lastGroupStateWrite = try log.write(records)
    }

    /// Returns once every group-state record written so far is durable; throws if the
    /// fdatasync failed (the log then takes no more writes).
    func groupStateDurable() async throws(WharfError) {
        try await lastGroupStateWrite.durable()
    }

    /// `groupStateDurable()` for answers whose change is already live for the other members
    /// (a join, a leave, a heartbeat): a failure is logged, as a failed write is, and the
    /// next change writes the state again.
    func groupStateDurableOrLogged() async {
        do throws(WharfError) {
            try await groupStateDurable()
        } catch {
            logger.error("group state not durable", metadata: ["error": "\(error)"])
        }
    }
}
