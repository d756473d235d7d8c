import Foundation
import Synchronization
import WharfCore
import WharfEvents
import WharfProjections

/// The demo's event-sourced side: a bank account aggregate whose streams are `account-<n>`
/// (Opened, Deposited, Withdrawn, TransferSent / TransferReceived), every decision appended with
/// the expected version the aggregate was loaded at; a `balances` projection folding them into
/// `<data>/balances.sqlite`, paced so that it periodically falls behind (10 s of every 30 it
/// applies ~7 events/s, less than arrive) and catches up again; and a persistent subscription
/// `fraud-review` whose handler parks large withdrawals and transfers for a human to look at.
public struct DemoAccounts: Sendable {
    public static let accountCount = 12
    public static let reviewGroup = "fraud-review"

    public let store: EventStore
    public let projection: Projection

    /// The aggregate's state as its own decisions left it: balance and last revision per account.
    public final class Ledger: Sendable {
        let accounts = Mutex<[String: (balance: Int64, revision: UInt64)]>([:])
    }
    public let ledger = Ledger()

    public static func open(store: EventStore, registry: ProjectionRegistry, dataDirectory: String) throws -> DemoAccounts {
        let pacer = Pacer()
        let projection = try Projection.open(AccountBalances.definition(), databasePath: dataDirectory + "/balances.sqlite", store: store,
                                             registry: registry, options: ProjectionOptions(batchSize: 10, beforeBatch: { await pacer.pause() }))
        pacer.projection.withLock { $0 = projection }
        return DemoAccounts(store: store, projection: projection)
    }

    /// Slows the projection down for 10 s of every 30 (not while it rebuilds, so a rebuild is
    /// quick to watch).
    public final class Pacer: Sendable {
        let projection = Mutex<Projection?>(nil)
        func pause() async {
            let rebuilding = projection.withLock { $0?.status.rebuild != nil }
            let slow = !rebuilding && Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 30) < 10
            try? await Task.sleep(for: .milliseconds(slow ? 1500 : 15))
        }
    }

    /// History (accounts opened, a few hundred operations), the subscription group, then the
    /// projection starts.
    public func setUp() throws {
        for n in 0..<Self.accountCount { try decide(account: "account-\(n)", tick: n) }
        for tick in 0..<2_000 { try decide(account: "account-\(tick % Self.accountCount)", tick: tick) }
        if !store.listPersistentSubscriptions().contains(where: { $0.group == Self.reviewGroup }) {
            try store.createPersistentSubscription(Self.reviewGroup, on: .all,
                                                   settings: PersistentSubscriptionSettings(startFrom: .start, maxRetryCount: 2))
        }
        projection.start()
    }

    /// Until cancelled: two or three decisions every 100 ms, and the review handler.
    public func run() async {
        guard let review = try? store.connectToPersistentSubscription(Self.reviewGroup, on: .all, consumerName: "reviewer-1") else { return }
        var tick = 2_000
        while !Task.isCancelled {
            tick += 1
            for i in 0..<(2 + tick % 2) { try? decide(account: "account-\((tick &* 7 &+ i) % Self.accountCount)", tick: tick &+ i) }
            for e in (try? review.receive(max: 50)) ?? [] {
                let amount = Self.amount(e.event)
                if (e.event.type == "Withdrawn" && amount >= 66_000) || (e.event.type == "TransferSent" && amount >= 68_000) {
                    try? review.nack(e, action: .park, reason: "over the review limit")
                } else {
                    try? review.ack(e)
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        review.close()
        await projection.close()
    }

    /// One command on the aggregate: open the account if new, else deposit, withdraw (only with
    /// the funds) or transfer to another account. Appends carry the expected version.
    public func decide(account: String, tick: Int) throws {
        let current = ledger.accounts.withLock { $0[account] }
        guard let current else {
            let r = try store.append(stream: account, events: [Self.event("Opened", #"{"owner":"\#(account.dropFirst(8))"}"#)], expected: .noStream)
            ledger.accounts.withLock { $0[account] = (0, r.nextExpectedVersion) }
            return
        }
        let n = tick &* 2_654_435_761 % 1_000_003
        let amount = Int64(100 + n % 70_000)
        switch n % 10 {
        case 0..<5:
            try apply(account, current, "Deposited", amount, +amount)
        case 5..<8 where current.balance >= amount:
            try apply(account, current, "Withdrawn", amount, -amount)
        case 8, 9 where current.balance >= amount:
            let to = "account-\((n / 10) % Self.accountCount)"
            guard to != account, let target = ledger.accounts.withLock({ $0[to] }) else { return }
            try apply(account, current, "TransferSent", amount, -amount, extra: #","to":"\#(to)""#)
            try apply(to, target, "TransferReceived", amount, +amount, extra: #","from":"\#(account)""#)
        default:
            try apply(account, current, "Deposited", amount / 10, amount / 10)
        }
    }

    private func apply(_ account: String, _ state: (balance: Int64, revision: UInt64), _ type: String, _ amount: Int64, _ delta: Int64,
                       extra: String = "") throws {
        let r = try store.append(stream: account, events: [Self.event(type, #"{"amount":\#(amount)\#(extra)}"#)], expected: .exact(state.revision))
        ledger.accounts.withLock { $0[account] = (state.balance + delta, r.nextExpectedVersion) }
    }

    public static func event(_ type: String, _ json: String) -> EventData {
        EventData(type: type, data: json, metadata: #"{"source":"wharf-demo"}"#)
    }

    public static func amount(_ e: RecordedEvent) -> Int64 { AccountBalances.amount(in: e.data) }
}
