import Foundation
import Testing
import WharfSpawn

/// The one way tests and tools start programs (`ChildProcess`, posix_spawn): it works however
/// many descriptors this process holds (Foundation's `Process.run()` faulted above ~1,360 on
/// Linux, swift-corelibs-foundation #5472), the child inherits none of them, outputs are read
/// and exits awaited without blocking a thread.
@Suite struct ChildProcessTests {
    static let shell = "/bin/sh"

    @Test func aSpawnWithMoreThan2000DescriptorsOpenSucceedsAndTheChildInheritsNone() async throws {
        let extra = 2_100
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < rlim_t(extra + 1_000) {
            limit.rlim_cur = min(limit.rlim_max, rlim_t(extra + 4_000))
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        // Without O_CLOEXEC, as a careless library would open them: the child must still not get them.
        var held: [Int32] = []
        defer { held.forEach { close($0) } }
        for _ in 0..<extra {
            let fd = open("/dev/null", O_RDONLY)
            try #require(fd >= 0, "could not open descriptor \(held.count + 1) of \(extra): \(String(cString: strerror(errno)))")
            held.append(fd)
        }
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        #expect(open > 2_000)
        // Several at once, as the parallel suite does.
        let listings = try await withThrowingTaskGroup(of: ChildProcess.Captured.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await ChildProcess.run([Self.shell, "-c", "ls /proc/$$/fd"], timeout: .seconds(60))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for listing in listings {
            #expect(listing.termination == .exited(0), "\(String(decoding: listing.standardError, as: UTF8.self))")
            let fds = String(decoding: listing.standardOutput, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
            // 0, 1, 2 (and whatever ls opens for itself): none of the held ones.
            #expect(fds.count < 8 && Set(fds).isDisjoint(with: held), "the child inherited \(fds)")
        }
    }

    @Test func inputOutputErrorAndExitStatusArriveWhole() async throws {
        let r = try await ChildProcess.run([Self.shell, "-c", "cat; echo oops >&2; exit 3"], stdin: Data("hello\n".utf8),
                                           timeout: .seconds(60))
        #expect(r.termination == .exited(3) && r.status == 3 && !r.timedOut)
        #expect(String(decoding: r.standardOutput, as: UTF8.self) == "hello\n")
        #expect(String(decoding: r.standardError, as: UTF8.self) == "oops\n")
    }

    /// A megabyte on each stream, far beyond a pipe's 64 KiB: both are drained while the child runs.
    @Test func largeOutputOnBothStreamsDoesNotStallTheChild() async throws {
        let r = try await ChildProcess.run([Self.shell, "-c", "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2"],
                                           timeout: .seconds(60))
        #expect(r.termination == .exited(0) && r.standardOutput.count == 1_000_000 && r.standardError.count == 1_000_000)
    }

    /// (Killed, not ended by itself: `sleep` would exit 0 after 10 minutes.)
    @Test func aChildStillRunningAfterTheTimeoutIsKilled() async throws {
        let r = try await ChildProcess.run(["sleep", "600"], timeout: .milliseconds(200))
        #expect(r.timedOut && r.termination == .signaled(SIGKILL) && r.status == 128 + SIGKILL)
    }

    /// The child starts with every signal at its default and none blocked, whatever this process
    /// blocks: SIGTERM stops it.
    @Test func terminateStopsTheChildAndItsExitIsAwaited() async throws {
        let child = try ChildProcess(["sleep", "60"])
        #expect(child.isRunning)
        child.terminate()
        #expect(await child.exit() == .signaled(SIGTERM))
        #expect(!child.isRunning && child.termination == .signaled(SIGTERM))
        child.kill()  // after the reap: must not signal a recycled pid, and must not trap
        #expect(await child.exit() == .signaled(SIGTERM))
    }

    @Test func pipesCarryLinesBothWaysWhileTheChildRuns() async throws {
        let child = try ChildProcess([Self.shell, "-c", "read line; echo \"got $line\""], stdin: .pipe, stdout: .pipe)
        child.standardInput!.write(Data("ping\n".utf8))
        try child.standardInput!.close()
        #expect(String(decoding: await ChildProcess.readToEnd(child.standardOutput!), as: UTF8.self) == "got ping\n")
        #expect(await child.exit() == .exited(0))
    }

    @Test func standardErrorCanFollowStandardOutputIntoAFile() async throws {
        let path = NSTemporaryDirectory() + "child-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let child = try ChildProcess([Self.shell, "-c", "echo out; echo err >&2"], stdout: .file(path), stderr: .standardOutput)
        #expect(await child.exit() == .exited(0))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "out\nerr\n")
    }

    @Test func aMissingProgramIsAnErrorNamingIt() {
        #expect { try ChildProcess(["/nonexistent/wharf-no-such-program"]) } throws: { error in
            "\(error)".contains("/nonexistent/wharf-no-such-program")
        }
    }

    /// Many short children at once are all reaped and awaited (no lost exit, no zombie).
    @Test func manyConcurrentChildrenAreAllReaped() async throws {
        let statuses = try await withThrowingTaskGroup(of: Int32.self) { group in
            for i in 0..<40 {
                group.addTask { try await ChildProcess.run([Self.shell, "-c", "exit \(i % 7)"], timeout: .seconds(60)).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.sorted() == (0..<40).map { Int32($0 % 7) }.sorted())
    }
}
