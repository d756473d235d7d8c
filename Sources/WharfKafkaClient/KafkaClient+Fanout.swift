/// Running one request per broker at the same time: a refresh costs the slowest broker's round
/// trip, not the sum.
extension KafkaClient {
    func perNode<T: Sendable>(_ nodes: some Sequence<Int32>,
                              _ body: @escaping @Sendable (Int32) async throws(KafkaClientError) -> T) async throws(KafkaClientError) -> [Int32: T] {
        let results = await withTaskGroup(of: (Int32, Result<T, KafkaClientError>).self) { group in
            for node in nodes {
                group.addTask {
                    do throws(KafkaClientError) { return (node, .success(try await body(node))) } catch { return (node, .failure(error)) }
                }
            }
            var out: [(Int32, Result<T, KafkaClientError>)] = []
            for await r in group { out.append(r) }
            return out
        }
        var out: [Int32: T] = [:]
        for (node, r) in results { out[node] = try r.get() }
        return out
    }
}
