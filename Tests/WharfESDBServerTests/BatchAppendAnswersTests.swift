import Synchronization
import Testing
@testable import WharfESDBServer
import WharfTestSupport

/// The queue between a BatchAppend call's reader and its answering task: order, the bound on
/// answers waiting, and the ends of either side.
@Suite struct BatchAppendAnswersTests {
    @Test func entriesComeOutInOrderAndTheEndAfterTheLast() async {
        let answers = BatchAppendAnswers<Int>(limit: 8)
        for i in 0..<5 { #expect(await answers.put(i)) }
        answers.finish()
        var got: [Int] = []
        while let i = await answers.take() { got.append(i) }
        #expect(got == [0, 1, 2, 3, 4])
    }

    @Test func theReaderWaitsForRoomPastTheLimit() async {
        let answers = BatchAppendAnswers<Int>(limit: 2)
        let put = Mutex(0)
        let reader = Task {
            for i in 0..<5 {
                guard await answers.put(i) else { return }
                put.withLock { $0 = i + 1 }
            }
            answers.finish()
        }
        #expect(await eventually { put.withLock { $0 } == 2 })
        // Two wait: the third put waits for room until one is taken.
        #expect(put.withLock { $0 } == 2)
        #expect(await answers.take() == 0)
        #expect(await eventually { put.withLock { $0 } == 3 })
        var rest: [Int] = []
        while let i = await answers.take() { rest.append(i) }
        #expect(rest == [1, 2, 3, 4])
        await reader.value
    }

    @Test func aStoppedAnsweringSideRefusesPutsAndWakesAWaitingOne() async {
        let answers = BatchAppendAnswers<Int>(limit: 1)
        #expect(await answers.put(0))
        let waiting = Task { await answers.put(1) }
        answers.stop()
        #expect(await waiting.value == false)
        #expect(await answers.put(2) == false)
    }

    @Test func aTakerWaitingForTheNextEntryGetsItOrTheEnd() async {
        let answers = BatchAppendAnswers<Int>(limit: 4)
        let first = Task { await answers.take() }
        #expect(await answers.put(7))
        #expect(await first.value == 7)
        let second = Task { await answers.take() }
        answers.finish()
        #expect(await second.value == nil)
    }
}
