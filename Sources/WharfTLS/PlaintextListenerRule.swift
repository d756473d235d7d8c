import WharfCore

/// The rule every protocol's listener follows (Kafka, AMQP, EventStoreDB gRPC): a listener that
/// identifies nobody may listen only on a loopback address, unless the operator passes
/// `--allow-plaintext`. Checked before anything listens, so a mistake stops the start with one line.
public enum PlaintextListenerRule {
    /// 127.0.0.0/8, ::1 and `localhost`: only this machine reaches them.
    public static func isLoopback(host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" || h.hasPrefix("127.")
    }

    /// Throws the one line if `listener` at `host` identifies nobody and may be reached from
    /// other machines. `exposes`: what anyone could do there ("read and write every topic");
    /// `remedy`: how that listener would identify its clients.
    public static func check(listener: String, host: String, authenticates: Bool, allowPlaintext: Bool,
                             exposes: String, remedy: String) throws(WharfError) {
        guard !authenticates, !allowPlaintext, !isLoopback(host: host) else { return }
        throw .invalidArgument(
            "refusing to listen on \(listener): anyone who can reach it could \(exposes) without authenticating; "
                + "use \(remedy), a loopback address, or --allow-plaintext")
    }
}
