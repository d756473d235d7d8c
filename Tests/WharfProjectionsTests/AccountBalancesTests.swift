import Foundation
import GRDB
import Testing
import WharfCore
import WharfEvents
import WharfProjections
import WharfTestSupport

@Suite struct AccountBalancesTests {
    @Test func amountsAreReadFromTheJSON() {
        #expect(AccountBalances.amount(in: Array(#"{"amount":1250}"#.utf8)) == 1250)
        #expect(AccountBalances.amount(in: Array(#"{"to":"account-2","amount": 7,"x":1}"#.utf8)) == 7)
        #expect(AccountBalances.amount(in: Array(#"{"amount":-3}"#.utf8)) == -3)
        #expect(AccountBalances.amount(in: Array(#"{"owner":"x"}"#.utf8)) == 0)
        #expect(AccountBalances.amount(in: []) == 0)
    }

    @Test func depositsWithdrawalsAndTransfersFoldIntoBalances() async throws {
        let f = try ProjectionFixture()
        let s = f.store
        try s.append(stream: "account-1", events: [EventData(type: "Opened", data: #"{"owner":"a"}"#),
                                                   EventData(type: "Deposited", data: #"{"amount":500}"#)], expected: .noStream)
        try s.append(stream: "account-2", events: [EventData(type: "Opened", data: #"{"owner":"b"}"#)], expected: .noStream)
        try s.append(stream: "account-1", events: [EventData(type: "Withdrawn", data: #"{"amount":120}"#)], expected: .exact(1))
        try s.append(stream: "account-1", events: [EventData(type: "TransferSent", data: #"{"amount":80,"to":"account-2"}"#)], expected: .exact(2))
        try s.append(stream: "account-2", events: [EventData(type: "TransferReceived", data: #"{"amount":80,"from":"account-1"}"#)], expected: .exact(0))
        let p = try f.open(AccountBalances.definition())
        p.start()
        #expect(await eventually { p.status.cursor.processed == 6 })
        #expect(try p.read { try AccountBalances.balances($0) } == ["account-1": 300, "account-2": 80])
        let counts: [Int64] = try p.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT deposits, withdrawals, transfers, events, revision FROM balances WHERE account = 'account-1'")
            return (0..<5).map { (i: Int) -> Int64 in row?[i] ?? -1 }
        }
        #expect(counts == [1, 1, 1, 4, 3])
        await p.close()
    }
}

@Suite struct ProjectionNamingTests {
    @Test func sourcesParseFromTheirCLIForms() {
        #expect(ProjectionSource(parsing: "$all") == .all)
        #expect(ProjectionSource(parsing: "$ce-account") == .category("account"))
        #expect(ProjectionSource(parsing: "order") == .category("order"))
        #expect(ProjectionSource.category("account").description == "$ce-account")
    }

    @Test func namesThatAreNotFileNamesAreRefused() throws {
        let f = try ProjectionFixture()
        for bad in ["", "a/b", ".hidden"] {
            #expect(throws: WharfError.self) { try f.open(Balances.definition(name: bad)) }
        }
        let p = try f.open()
        // One runner per name in a process: a second would race on the same checkpoint row.
        #expect(throws: WharfError.self) { try f.open() }
        _ = p
    }
}
