import Foundation
import Testing

/// `wharf broker list`: the embedded engine is one broker; over `--bootstrap` a `wharf serve`
/// on the same data reports the same leaders and replicas (Metadata) and a disk
/// (DescribeLogDirs v4), under its advertised address.
@Suite(.serialized, .endToEnd) struct BrokerCLITests {
    struct Row: Decodable, Equatable {
        let id: Int32
        let address: String
        let controller: Bool
        let online: Bool
        let leaderPartitions: Int
        let replicas: Int
        let outOfSync: Int
        let diskTotalBytes: Int64
        let diskFreeBytes: Int64
    }

    @Test func embeddedAndBootstrapListTheSameBroker() async throws {
        let dir = TempDir()
        #expect(try await WharfProcess.run(["topic", "create", "orders", "--partitions", "3", "--data", dir.path]).status == 0)
        #expect(try await WharfProcess.run(["topic", "create", "audit", "--partitions", "1", "--data", dir.path]).status == 0)
        let local = try await WharfProcess.run(["broker", "list", "--json", "--data", dir.path])
        #expect(local.status == 0, "\(local.stderr)")
        let table = try await WharfProcess.run(["broker", "list", "--data", dir.path])
        #expect(table.lines.first?.hasPrefix("ID  ADDRESS") == true && table.lines.count == 2 && table.lines[1].contains("embedded  controller"),
                "\(table.stdout)")

        let server = try KafkaListenerTests.Server(dataDirectory: dir)
        defer { _ = server.stop() }
        let wire = try await WharfProcess.run(["broker", "list", "--json", "--bootstrap", server.bootstrap])
        #expect(wire.status == 0, "\(wire.stderr)")
        #expect(server.stop() == 0)

        let here = try JSONDecoder().decode([Row].self, from: Data(local.stdout.utf8))
        let there = try JSONDecoder().decode([Row].self, from: Data(wire.stdout.utf8))
        // 3 + 1 + __consumer_offsets: every partition led and held by the one broker, all in sync.
        #expect(here.count == 1 && here[0].address == "embedded" && here[0].leaderPartitions == 5 && here[0].replicas == 5, "\(local.stdout)")
        #expect(there.count == 1 && there[0].address == server.bootstrap, "\(wire.stdout)")
        for rows in [here, there] {
            let b = rows[0]
            #expect(b.id == 0 && b.controller && b.online && b.outOfSync == 0)
            #expect(b.diskTotalBytes > 0 && b.diskFreeBytes > 0 && b.diskFreeBytes <= b.diskTotalBytes)
        }
        #expect(there[0].leaderPartitions == here[0].leaderPartitions && there[0].replicas == here[0].replicas)
    }
}
