import KafkaProtocol

/// What a fuzz run did and found, printed as one summary line at the end.
struct FuzzStatistics {
    var frames = 0
    var frameMutations = 0
    var connections = 0
    var closedByServer = 0
    /// Requests whose answer did not come within the response timeout (long polls, joins).
    var unanswered: [ApiKey: Int] = [:]
    var perApi: [ApiKey: Int] = [:]
    /// AMQP and gRPC runs: how many chunks each step of the exchange sent.
    var perStep: [String: Int] = [:]
    var crashes: [String] = []
    var hangs: [String] = []
    var memory: [String] = []
    var peakRSSKiB = 0
    var seconds = 0.0

    var failed: Bool { !crashes.isEmpty || !hangs.isEmpty || !memory.isEmpty }

    func summary(seed: UInt64) -> String {
        let apis = perApi.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        let rate = seconds > 0 ? Int(Double(frames) / seconds) : 0
        return "wharf-fuzz: seed=\(seed) seconds=\(Int(seconds)) frames=\(frames) (\(rate)/s) byte-mutated=\(frameMutations) "
            + "connections=\(connections) closed-by-server=\(closedByServer) unanswered=\(unanswered.values.reduce(0, +)) crashes=\(crashes.count) hangs=\(hangs.count) over-memory=\(memory.count) "
            + "peak-rss-mib=\(peakRSSKiB / 1024) "
            + (perStep.isEmpty ? "per-api=\(apis)" : "per-step=" + perStep.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))
            + (unanswered.isEmpty ? "" : " unanswered-per-api=" + unanswered.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key):\($0.value)" }.joined(separator: ","))
    }
}
