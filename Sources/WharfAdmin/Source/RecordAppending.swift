import WharfCore

/// Where one append's records went: each partition's first and last offset.
public typealias AppendedRange = (partition: Int32, base: Int64, last: Int64)

/// A topic opened for appends by `ClusterSource.openAppender` (`wharf produce`): records without
/// a named partition go where Kafka's producer would put them (`Partitioner`).
public protocol RecordAppending: Sendable {
    func append(_ records: [Record]) async throws -> [AppendedRange]
}
