import Foundation
import Testing

/// Text a client chose reaches `wharf serve`'s log only through the terminal rule: a group id
/// and a client id full of escape sequences and a newline, sent by a real client (kcat).
@Suite(.serialized, .endToEnd) struct LogInjectionTests {
    @Test func groupAndClientIdsCannotPutEscapesOrNewLinesInTheLog() async throws {
        let dir = TempDir()
        let log = dir.path + "/serve.log"
        let server = try KafkaListenerTests.Server(dataDirectory: dir, environment: ["WHARF_LOG_LEVEL": "debug"], stderr: log)
        var stopped = false
        defer { if !stopped { _ = server.stop() } }
        var r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-t", "t", "-P"], stdin: "one\n")
        #expect(r.status == 0, "\(r.stderr)")
        let hostile = "evil\u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}31m\nFAKE wharf: forged line"
        r = try await KafkaListenerTests.kcat(["-b", server.bootstrap, "-G", hostile, "-X", "client.id=c\u{1B}[31mred",
                                         "-o", "beginning", "-e", "-c", "1", "-f", "%s\n", "t"])
        #expect(r.status == 0 && r.lines == ["one"], "\(r.stdout)\(r.stderr)")
        #expect(server.stop() == 0)
        stopped = true

        let text = try String(contentsOfFile: log, encoding: .utf8)
        // The group really was logged (a test of a log that never named it would pass).
        #expect(text.contains("evil?]0;owned??[2J?31m?FAKE wharf: forged line"), "\(text.suffix(3000).debugDescription)")
        #expect(text.contains("c?[31mred"), "the client id is part of the member id: \(text.suffix(3000).debugDescription)")
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x07 }, "\(text.debugDescription)")
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("FAKE") })
    }
}
