/// What one fuzzed connection sends, in order: labelled chunks (a protocol header, one frame or
/// a few), so the summary counts which steps of the exchange were reached and a crash report
/// names the last one.
struct ConnectionScript {
    var chunks: [(step: String, bytes: [UInt8])] = []

    mutating func add(_ step: String, _ bytes: [UInt8]) { chunks.append((step, bytes)) }

    var bytes: [UInt8] { chunks.flatMap(\.bytes) }
}
