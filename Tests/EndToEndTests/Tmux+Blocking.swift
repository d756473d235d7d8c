import Foundation

/// The blocking forms of `Tmux`'s calls, kept so tests that are not async yet still compile. Each
/// holds a pool thread while tmux runs or the screen is polled (see `offThePool`); new tests
/// await the async forms.
extension Tmux {
    @discardableResult
    func run(_ args: [String], capture: Bool = true) throws -> String { try spawnAndWait(args, capture: capture) }

    func send(_ keys: String...) throws { try run(["send-keys", "-t", session] + keys) }
    func type(_ text: String) throws { try run(["send-keys", "-t", session, "-l", text]) }
    func screen() throws -> String { try run(["capture-pane", "-p", "-t", session]) }
    func resize(width: Int, height: Int) throws { try run(["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"]) }

    @discardableResult
    func waitFor(timeout: TimeInterval = 40, settleLimit: TimeInterval = 2, _ predicate: (String) -> Bool) throws -> String {
        let end = Date().addingTimeInterval(timeout)
        var settled = SettledScreen(settleLimit: settleLimit)
        var last = ""
        while Date() < end {
            last = try screen()
            guard let pause = settled.observe(last, matches: predicate(last), at: Date()) else { return last }
            Thread.sleep(forTimeInterval: pause)
        }
        return last
    }
}
