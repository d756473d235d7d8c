import Foundation
import WharfCore
import WharfSpawn

/// Runs a real Kafka client (kcat, a Python script) to completion without holding a thread, so
/// the in-process listener it talks to keeps being served; killed after `timeout`.
enum ClientProcess {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ argv: [String], stdin: String = "", timeout: Duration = .seconds(60)) async throws -> Result {
        let r = try await ChildProcess.run(["/usr/bin/env"] + argv, stdin: Data(stdin.utf8), timeout: timeout)
        return Result(status: r.status, stdout: String(decoding: r.standardOutput, as: UTF8.self),
                      stderr: String(decoding: r.standardError, as: UTF8.self))
    }
}
