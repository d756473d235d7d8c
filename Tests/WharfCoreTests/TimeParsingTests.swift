import Testing
@testable import WharfCore

@Suite struct TimeParsingTests {
    @Test func dateTimes() {
        #expect(TimeParsing.dateTimeMillis("2026-11-26T10:00:00Z") == 1_795_687_200_000)
        #expect(TimeParsing.dateTimeMillis("2026-11-26T10:00:00") == 1_795_687_200_000)
        #expect(TimeParsing.dateTimeMillis("2026-11-26T11:00:00+01:00") == 1_795_687_200_000)
        #expect(TimeParsing.dateTimeMillis("2026-11-26T10:00:00.250Z") == 1_795_687_200_250)
        #expect(TimeParsing.dateTimeMillis("2026-11-26") == 1_795_651_200_000)
        #expect(TimeParsing.dateTimeMillis("1795687200000") == 1_795_687_200_000)
        #expect(TimeParsing.dateTimeMillis("yesterday") == nil)
        #expect(TimeParsing.dateTimeMillis("2026-13-40T99:00:00Z") == nil)
    }

    @Test func durations() {
        #expect(TimeParsing.durationMillis("PT10M") == 600_000)
        #expect(TimeParsing.durationMillis("P1DT2H") == 93_600_000)
        #expect(TimeParsing.durationMillis("PT0.5S") == 500)
        #expect(TimeParsing.durationMillis("pt1h30m") == 5_400_000)
        #expect(TimeParsing.durationMillis("500ms") == 500)
        #expect(TimeParsing.durationMillis("30s") == 30_000)
        #expect(TimeParsing.durationMillis("2h") == 7_200_000)
        #expect(TimeParsing.durationMillis("7d") == 604_800_000)
        #expect(TimeParsing.durationMillis("P1M") == nil)  // months: no fixed length
        #expect(TimeParsing.durationMillis("PT") == nil)
        #expect(TimeParsing.durationMillis("-5m") == nil)
        #expect(TimeParsing.durationMillis("ten minutes") == nil)
        #expect(TimeParsing.durationMillis("1h30m") == 5_400_000)   // sums, as the dashboard always took
        #expect(TimeParsing.durationMillis("1m30s250ms") == 90_250)
        #expect(TimeParsing.durationMillis("1h30") == nil)           // a number without its unit
        // Beyond Int64 milliseconds: refused, not trapped.
        #expect(TimeParsing.durationMillis("99999999999999999999d") == nil)
        #expect(TimeParsing.durationMillis("P99999999999999999999D") == nil)
    }
}
