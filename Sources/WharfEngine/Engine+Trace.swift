import WharfAdmin
import WharfCore
import WharfStorage

/// `wharf trace`: one event followed through the engine's topics and groups.
extension Engine {
    /// Traces `query` (`TOPIC/PARTITION/OFFSET`, or an outbox event id / message id carried in
    /// the records' `id` header) by reading every non-internal topic once, at most `maxRecords`
    /// records (a bigger data directory gives a trace marked truncated), then every group's
    /// commits. `outbox` is the row it started as, when the caller looked it up.
    public func trace(_ query: String, outbox: OutboxRowState? = nil,
                      maxRecords: Int = 2_000_000) async throws(WharfError) -> EventTrace {
        var builder = EventTraceBuilder(query: .init(parsing: query))
        if case .record(let t, let p, let o) = builder.query {
            // The queried record first: its `id` header is the event id the scan looks for.
            let l = try log(t, p)
            guard o >= l.logStartOffset, o < l.logEndOffset, let record = try Self.decodeRecords(of: l, from: o, maxRecords: 1).first,
                  record.offset == o else {
                throw .offsetOutOfRange(topic: t, partition: p, offset: o, logStart: l.logStartOffset, logEnd: l.logEndOffset)
            }
            builder.observe(topic: t, partition: p, record)
        }
        scan: for name in listTopics() {
            for (index, log) in try topic(name).logs.enumerated() {
                var next = log.logStartOffset
                while next < log.logEndOffset {
                    guard builder.scanned < maxRecords else { builder.truncated = true; break scan }
                    let records = try Self.decodeRecords(of: log, from: next, maxRecords: min(1000, maxRecords - builder.scanned))
                    guard let last = records.last else { break }
                    for r in records { builder.observe(topic: name, partition: Int32(index), r) }
                    next = last.offset + 1
                }
            }
        }
        var commits: [String: [TopicPartition: EventTrace.GroupCommit]] = [:]
        for g in await coordinator.listGroups() where !g.groupId.hasPrefix(RequeueRules.group(for: "")) {
            let offsets = await coordinator.fetchOffsets(groupId: g.groupId, partitions: nil)
            commits[g.groupId] = offsets.mapValues { EventTrace.GroupCommit(group: g.groupId, committedOffset: $0.offset, lastCommitMs: $0.commitTimestamp) }
        }
        return builder.trace(commits: commits, outbox: outbox)
    }
}
