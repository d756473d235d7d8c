import Foundation
import WharfSpawn

extension WharfProcess {
    /// The blocking form of `run`, kept so tests that are not async yet still compile. It holds
    /// a pool thread until the child exits (see `offThePool`); new tests await the async `run`.
    @discardableResult
    static func run(_ args: [String], stdin: String? = nil, environment: [String: String] = [:],
                    executable: String? = nil, prefix: [String] = []) throws -> Result {
        let child = try ChildProcess([executable ?? binary] + prefix + args, environment: ChildProcess.environment(adding: environment),
                                     stdin: .bytes(Data((stdin ?? "").utf8)), stdout: .pipe, stderr: .pipe)
        // Both pipes are read to the end before waiting, so a large output cannot block the child.
        // (Blocking reads on threads, not `ChildProcess.readToEnd`: its continuation would need a
        // pool thread, and this one may be the last free one.)
        let errData = ThreadSafeBox<Data>()
        let errRead = DispatchSemaphore(value: 0)
        Thread {
            errData.set(child.standardError!.readDataToEndOfFile())
            errRead.signal()
        }.start()
        let outData = child.standardOutput!.readDataToEndOfFile()
        let termination = child.waitUntilExit()
        errRead.wait()
        return Result(status: termination.status, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.get() ?? Data(), as: UTF8.self))
    }
}
