import Testing
import WharfAdmin
import WharfSources

/// The status lines both drivers show (the tmux suites wait for these words).
@Suite struct DriverMessagesTests {
    @Test func aResetSaysHowManyRecordsWillBeReadAgainAndWhetherMembersWereFenced() {
        let rows = [ResetPlanRow(topic: "t", partition: 0, currentOffset: 10, newOffset: 0, recordsToReread: 10),
                    ResetPlanRow(topic: "t", partition: 1, currentOffset: 3, newOffset: 5, recordsToReread: -2)]
        #expect(DriverMessages.reset("g", rows) == "reset g on 2 partition(s): 8 records to re-read")
        #expect(DriverMessages.reset("g", rows, fencedLiveMembers: true)
                    == "reset g on 2 partition(s): 8 records to re-read; live members fenced and rejoining")
    }

    @Test func topicsAndPurges() {
        #expect(DriverMessages.createdTopic("a", partitions: 1) == "created topic a with 1 partition")
        #expect(DriverMessages.createdTopic("a", partitions: 3) == "created topic a with 3 partitions")
        #expect(DriverMessages.purged(-4, topic: "a", partition: 2, logStart: 7) == "purged 0 records from a/2; log start is now 7")
        #expect(DriverMessages.undid("g", restored: 2) == "undid the last reset of g (2 partition(s) restored)")
    }
}
