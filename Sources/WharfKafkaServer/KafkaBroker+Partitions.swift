import KafkaProtocol
import WharfCore
import WharfEngine

/// CreatePartitions (API 37): grows topics. A topic named twice in one request is refused
/// (INVALID_REQUEST) as Kafka does; a count not above the current one is INVALID_PARTITIONS;
/// assignments may only name this broker (a single node has no other replica to place).
extension KafkaBroker {
    func createPartitions(_ r: CreatePartitionsRequest) -> CreatePartitionsResponse {
        var counts: [String: Int] = [:]
        for t in r.topics { counts[t.name, default: 0] += 1 }
        var response = CreatePartitionsResponse()
        response.results = r.topics.map { t in
            var result = CreatePartitionsResponse.CreatePartitionsTopicResult()
            result.name = t.name
            func fail(_ code: Int16, _ message: String) -> CreatePartitionsResponse.CreatePartitionsTopicResult {
                result.errorCode = code
                result.errorMessage = message
                return result
            }
            guard counts[t.name] == 1 else { return fail(KafkaError.invalidRequest, "topic \(t.name) is named more than once") }
            do throws(WharfError) {
                let current = Int32(try engine.describeTopic(t.name).partitions.count)
                guard t.count > current else {
                    return fail(KafkaError.invalidPartitions, "topic \(t.name) has \(current) partitions; the new count must be larger, got \(t.count)")
                }
                if let assignments = t.assignments {
                    guard assignments.count == Int(t.count - current) else {
                        return fail(KafkaError.invalidReplicaAssignment, "\(assignments.count) assignments for \(t.count - current) new partitions")
                    }
                    guard assignments.allSatisfy({ $0.brokerIds == [nodeId] }) else {
                        return fail(KafkaError.invalidReplicaAssignment, "this cluster has one broker, id \(nodeId)")
                    }
                }
                if InternalNames.isInternalTopic(t.name) { return fail(KafkaError.invalidRequest, "\(t.name) is internal") }
                if !r.validateOnly { _ = try engine.addPartitions(t.name, totalCount: t.count) }
            } catch {
                return fail(KafkaError.code(error), "\(error)")
            }
            return result
        }
        return response
    }
}
