import WharfCore

/// What ListTransactions and DescribeTransactions (KIP-664) and `wharf txn list` read of the
/// transaction coordinator: Kafka's state names and its listing filters.
extension TransactionStatus {
    /// Kafka's name for the state (`TransactionState.name`), as the admin APIs carry it.
    public var kafkaName: String {
        switch self {
        case .empty: "Empty"
        case .ongoing: "Ongoing"
        case .prepareCommit: "PrepareCommit"
        case .prepareAbort: "PrepareAbort"
        case .completeCommit: "CompleteCommit"
        case .completeAbort: "CompleteAbort"
        }
    }

    /// The state named `name`; nil for names Kafka has but Wharf never enters (`Dead`,
    /// `PrepareEpochFence`) and for unknown ones.
    public init?(kafkaName name: String) {
        guard let status = Self.allKafka.first(where: { $0.kafkaName == name }) else { return nil }
        self = status
    }

    static let allKafka: [TransactionStatus] = [.empty, .ongoing, .prepareCommit, .prepareAbort, .completeCommit, .completeAbort]

    /// Kafka's states that Wharf has no equivalent of: a filter naming one is known but matches nothing.
    static let kafkaOnlyNames: Set<String> = ["Dead", "PrepareEpochFence"]
}

/// ListTransactions' filters (Kafka's `TransactionStateManager.listTransactionStates`): each
/// empty or negative filter lets everything through.
public struct TransactionFilter: Sendable, Equatable {
    /// Kafka state names; a non-empty list keeps only transactions in one of them.
    public var states: [String]
    public var producerIds: [Int64]
    /// Keeps only transactions that began more than this long ago (ms); < 0 for no filter.
    public var minDurationMs: Int64

    public init(states: [String] = [], producerIds: [Int64] = [], minDurationMs: Int64 = -1) {
        self.states = states
        self.producerIds = producerIds
        self.minDurationMs = minDurationMs
    }

    /// The state names this broker does not know (ListTransactions' `unknown_state_filters`).
    public var unknownStates: [String] {
        states.filter { TransactionStatus(kafkaName: $0) == nil && !TransactionStatus.kafkaOnlyNames.contains($0) }
    }

    /// Whether `meta` passes every filter at time `now`. An Empty id never began a transaction
    /// (start -1), so it passes any duration filter, as in Kafka.
    public func matches(_ meta: TransactionMetadata, now: Int64) -> Bool {
        if !producerIds.isEmpty, !producerIds.contains(meta.producerId) { return false }
        if !states.isEmpty, !states.contains(meta.status.kafkaName) { return false }
        if minDurationMs >= 0, now &- meta.kafkaStartTimeMs <= minDurationMs { return false }
        return true
    }
}

extension TransactionMetadata {
    /// When the current (or last) transaction began, -1 for an id that never began one.
    public var kafkaStartTimeMs: Int64 { status == .empty ? -1 : startedMs }
}

extension Engine {
    /// ListTransactions: every transactional id passing `filter`, sorted by id.
    public func listTransactions(_ filter: TransactionFilter) async -> [TransactionMetadata] {
        let now = clock.nowMillis()
        return await transactionStates().filter { filter.matches($0, now: now) }
    }
}
