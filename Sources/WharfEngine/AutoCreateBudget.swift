/// A token bucket for Kafka's topic auto-creation: `burst` topics at once, then `perMinute`
/// more each minute. Metadata for names beyond it answers UNKNOWN_TOPIC_OR_PARTITION, so a
/// client listing random names cannot create topics (and open files) without end.
struct AutoCreateBudget: Sendable {
    private var tokens: Int64
    /// When tokens were last earned (the leftover milliseconds count toward the next one).
    private var lastRefillMs: Int64?

    init(burst: Int) {
        tokens = Int64(max(0, burst))
    }

    /// Takes one token if there is one, refilling first for the time since the last refill.
    mutating func take(nowMs: Int64, burst: Int, perMinute: Int) -> Bool {
        let capacity = Int64(max(0, burst))
        if perMinute > 0, let last = lastRefillMs, nowMs > last {
            let msPerToken = max(1, 60_000 / Int64(perMinute))
            let earned = (nowMs - last) / msPerToken
            if earned > 0 {
                tokens = min(capacity, tokens + min(earned, capacity))
                lastRefillMs = last + earned * msPerToken
            }
        } else if lastRefillMs == nil || nowMs < (lastRefillMs ?? nowMs) {
            lastRefillMs = nowMs  // first use, or the clock went back: start counting from now
        }
        guard tokens > 0 else { return false }
        tokens -= 1
        return true
    }
}
