import Foundation
import Testing

/// Event streams through the real binary: optimistic concurrency, reads, categories and a
/// persistent subscription's lag, each command its own process.
@Suite(.endToEnd) struct EventsCLITests {
    @Test func expectedVersionsReadsCategoriesAndSubscriptionLag() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        var r = try await WharfProcess.run(["events", "append", "account-1", "--type", "Deposited", "--expected-version", "no-stream"] + d,
                                     stdin: "{\"amount\":10}\n{\"amount\":5}\n")
        #expect(r.status == 0 && r.stdout.contains("appended 2 events to account-1; now at revision 1"), "\(r.stdout)\(r.stderr)")
        // A writer that read revision 0 loses: WrongExpectedVersion names the actual revision.
        r = try await WharfProcess.run(["events", "append", "account-1", "--type", "Withdrawn", "--expected-version", "0"] + d, stdin: "{\"amount\":3}\n")
        #expect(r.status != 0 && r.stderr.contains("expected revision 0, actual revision 1"), "\(r.stderr)")
        r = try await WharfProcess.run(["events", "append", "account-1", "--type", "Withdrawn", "--expected-version", "1"] + d, stdin: "{\"amount\":3}\n")
        #expect(r.status == 0)
        // The same event id twice appends once.
        let id = "6f1c1d52-0d1c-4b5e-9a55-2f6f3c1e8a10"
        for _ in 0..<2 { _ = try await WharfProcess.run(["events", "append", "order-9", "--type", "Placed", "--id", id] + d, stdin: "{}\n") }
        r = try await WharfProcess.run(["events", "read", "order-9", "--json"] + d)
        #expect(r.lines.count == 1)

        r = try await WharfProcess.run(["events", "read", "account-1", "--backwards", "--json"] + d)
        let types = try r.lines.map { (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["type"] as! String }
        #expect(types == ["Withdrawn", "Deposited", "Deposited"])
        r = try await WharfProcess.run(["events", "streams", "--category", "account", "--json"] + d)
        #expect(r.stdout.contains(#""events":3"#) && !r.stdout.contains("order-9"), "\(r.stdout)")

        r = try await WharfProcess.run(["subscription", "create", "billing", "--stream", "$all", "--from", "start"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["subscription", "list", "--json"] + d)
        let subs = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        #expect(subs.count == 1 && subs[0]["lagEvents"] as? Int == 4, "\(r.stdout)")
    }
}
