import Foundation
import GRDB
import WharfEvents

/// The read model of the demo's event-sourced account aggregate (streams `account-<id>`), also
/// the projection the `wharf` binary knows how to rebuild offline (`definitionId`).
///
/// Events (JSON data): `Opened {"owner":…}`, `Deposited {"amount":N}`, `Withdrawn {"amount":N}`,
/// `TransferSent {"amount":N,"to":"account-…"}`, `TransferReceived {"amount":N,"from":"account-…"}`.
/// Amounts are integer cents. Read model:
///
///     balances(account TEXT PRIMARY KEY, balance INTEGER, deposits INTEGER, withdrawals INTEGER,
///              transfers INTEGER, events INTEGER, revision INTEGER, updated_at INTEGER)
public enum AccountBalances {
    public static let definitionId = "wharf.account-balances"
    public static let category = "account"

    public static func definition(name: String = "balances") -> ProjectionDefinition {
        ProjectionDefinition(
            name: name, source: .category(category), definitionId: definitionId,
            setUp: { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS balances (
                      account TEXT PRIMARY KEY NOT NULL, balance INTEGER NOT NULL DEFAULT 0,
                      deposits INTEGER NOT NULL DEFAULT 0, withdrawals INTEGER NOT NULL DEFAULT 0,
                      transfers INTEGER NOT NULL DEFAULT 0, events INTEGER NOT NULL DEFAULT 0,
                      revision INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL DEFAULT 0)
                    """)
            },
            reset: { db in try db.execute(sql: "DELETE FROM balances") },
            apply: apply)
    }

    static func apply(_ db: Database, _ e: RecordedEvent) throws {
        let amount = amount(in: e.data)
        var delta: Int64 = 0, deposits: Int64 = 0, withdrawals: Int64 = 0, transfers: Int64 = 0
        switch e.type {
        case "Deposited": delta = amount; deposits = 1
        case "Withdrawn": delta = -amount; withdrawals = 1
        case "TransferSent": delta = -amount; transfers = 1
        case "TransferReceived": delta = amount; transfers = 1
        default: break
        }
        try db.execute(sql: """
            INSERT INTO balances (account, balance, deposits, withdrawals, transfers, events, revision, updated_at)
            VALUES (?, ?, ?, ?, ?, 1, ?, ?)
            ON CONFLICT(account) DO UPDATE SET balance = balance + excluded.balance, deposits = deposits + excluded.deposits,
              withdrawals = withdrawals + excluded.withdrawals, transfers = transfers + excluded.transfers,
              events = events + 1, revision = excluded.revision, updated_at = excluded.updated_at
            """, arguments: [e.stream, delta, deposits, withdrawals, transfers, Int64(e.revision), e.timestamp])
    }

    /// The integer after `"amount":` in the event's JSON (0 when missing). A scan instead of a
    /// JSONDecoder: this runs once per event, and the payloads are ours.
    static let amountKey = Array(#""amount":"#.utf8)

    public static func amount(in data: [UInt8]) -> Int64 {
        let key = amountKey
        guard data.count > key.count else { return 0 }
        var i = 0
        search: while i + key.count <= data.count {
            for j in 0..<key.count where data[i + j] != key[j] {
                i += 1
                continue search
            }
            var k = i + key.count
            while k < data.count, data[k] == UInt8(ascii: " ") { k += 1 }
            var negative = false
            if k < data.count, data[k] == UInt8(ascii: "-") { negative = true; k += 1 }
            var value: Int64 = 0
            while k < data.count, data[k] >= UInt8(ascii: "0"), data[k] <= UInt8(ascii: "9") {
                value = value &* 10 &+ Int64(data[k] - UInt8(ascii: "0"))
                k += 1
            }
            return negative ? -value : value
        }
        return 0
    }

    /// Balance per account, for checks.
    public static func balances(_ db: Database) throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT account, balance FROM balances") { out[row["account"]] = row["balance"] }
        return out
    }
}
