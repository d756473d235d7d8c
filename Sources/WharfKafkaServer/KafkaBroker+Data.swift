import KafkaProtocol
import NIOPosix
import WharfCore
import WharfEngine
import WharfStorage

/// Metadata, produce, fetch and offsets: the data path.
extension KafkaBroker {
    func metadata(_ r: MetadataRequest, version: Int16, advertised: (host: String, port: Int32)) -> MetadataResponse {
        // v0: an empty list means all topics; v1+: null means all, empty means none.
        var names: [String]
        var unknownIds: [KafkaUUID] = []
        if let topics = r.topics, !(version == 0 && topics.isEmpty) {
            // v10+ may name a topic by its id alone (KIP-516).
            names = topics.compactMap { t in
                if let name = t.name { return name }
                guard let name = engine.topicName(forId: (t.topicId.high, t.topicId.low)) else {
                    unknownIds.append(t.topicId)
                    return nil
                }
                return name
            }
            let autoCreate = configuration.autoCreateTopics && (version < 4 || r.allowAutoTopicCreation)
            if autoCreate { engine.autoCreateTopics(names, partitions: configuration.autoCreatePartitions) }
        } else {
            names = engine.listTopics(includeInternal: true)
        }
        var response = MetadataResponse()
        response.brokers = [.init(nodeId: nodeId, host: advertised.host, port: advertised.port, rack: nil)]
        response.clusterId = clusterId
        response.controllerId = nodeId
        response.topics = names.map { name in
            guard let d = try? engine.describeTopic(name) else {
                var t = MetadataResponse.MetadataResponseTopic()
                t.name = name
                // A name no topic can have fails fast (the client stops waiting for it to appear).
                t.errorCode = Self.isLegalTopicName(name) ? KafkaError.unknownTopicOrPartition : KafkaError.invalidTopic
                return t
            }
            var t = MetadataResponse.MetadataResponseTopic()
            t.name = name
            if let id = try? engine.topicId(name) { t.topicId = KafkaUUID(high: id.high, low: id.low) }
            t.isInternal = d.isInternal
            t.partitions = d.partitions.map { p in
                var mp = MetadataResponse.MetadataResponsePartition()
                mp.partitionIndex = p.partition
                mp.leaderId = nodeId
                mp.leaderEpoch = 0
                mp.replicaNodes = [nodeId]
                mp.isrNodes = [nodeId]
                return mp
            }
            return t
        }
        response.topics += unknownIds.map { id in
            var t = MetadataResponse.MetadataResponseTopic()
            t.name = nil
            t.topicId = id
            t.errorCode = KafkaError.unknownTopicId
            return t
        }
        return response
    }

    /// Writes a Produce request's batches, partition after partition in request order (so an
    /// idempotent producer's sequences are checked in the order it sent them), without waiting
    /// for durability: the answer is `acknowledged()` (under `--fsync always`, after the group
    /// commit covered every written partition).
    func produce(_ r: ProduceRequest) -> ProduceInFlight {
        var response = ProduceResponse()
        var pending: [ProduceInFlight.Pending] = []
        // The same budgeted auto-creation as Metadata's, so Produce is no way around its limits.
        if configuration.autoCreateTopics {
            engine.autoCreateTopics(r.topicData.map(\.name), partitions: configuration.autoCreatePartitions)
        }
        response.responses = r.topicData.enumerated().map { topicIndex, topic in
            var tr = ProduceResponse.TopicProduceResponse()
            tr.name = topic.name
            let keyRequired = requiredKeys(topic.name)
            tr.partitionResponses = topic.partitionData.enumerated().map { partitionIndex, p in
                var pr = ProduceResponse.PartitionProduceResponse()
                pr.index = p.index
                guard var bytes = p.records, !bytes.isEmpty else {
                    pr.errorCode = KafkaError.invalidRequest
                    return pr
                }
                if !Self.isLegalTopicName(topic.name) {
                    pr.errorCode = KafkaError.invalidTopic
                    pr.errorMessage = "'\(topic.name)' is not a legal topic name"
                    return pr
                }
                // Clients may read internal topics but never write them (Kafka answers the same).
                if topic.name.hasPrefix("__") {
                    pr.errorCode = KafkaError.invalidTopic
                    pr.errorMessage = "cannot produce to internal topic \(topic.name)"
                    return pr
                }
                if let maxDecompressedBytes = keyRequired {
                    let keyless = Self.keylessRecords(in: bytes, maxDecompressedBytes: maxDecompressedBytes)
                    if !keyless.isEmpty {
                        pr.errorCode = KafkaError.invalidRecord
                        pr.errorMessage = "Compacted topic cannot accept message without key in topic partition \(topic.name)-\(p.index)."
                        pr.recordErrors = keyless.map { .init(batchIndex: $0, batchIndexErrorMessage: pr.errorMessage) }
                        return pr
                    }
                }
                do {
                    // The engine checks and deduplicates idempotent producers' batches (per partition).
                    let written = try engine.write(topic: topic.name, partition: p.index, batches: &bytes)
                    pending.append(.init(topic: topicIndex, partition: partitionIndex, append: written))
                    pr.baseOffset = written.result.baseOffset
                    pr.logAppendTimeMs = -1
                    pr.logStartOffset = (try? engine.offsets(topic: topic.name, partition: p.index).logStart) ?? -1
                } catch {
                    pr.errorCode = KafkaError.code(error)
                    pr.errorMessage = "\(error)"
                }
                return pr
            }
            return tr
        }
        return ProduceInFlight(response: response, pending: pending)
    }

    /// For a compacted topic (whose records must have keys), the most a batch may inflate to
    /// while its keys are checked; nil for any other topic.
    func requiredKeys(_ topic: String) -> Int? {
        guard let settings = try? engine.topicSettings(topic), settings.cleanupPolicy?.contains("compact") == true else { return nil }
        let limits = RecordBatchValidator.Limits(maxBatchBytes: settings.maxMessageBytes ?? engine.topicDefaults.maxBatchBytes,
                                                 timestampBeforeMaxMs: 0, timestampAfterMaxMs: 0)
        return limits.maxDecompressedBytes
    }

    /// Kafka's rule for topic names (`Names.validateTopic`): what fails it can never exist.
    static func isLegalTopicName(_ name: String) -> Bool {
        (try? Names.validateTopic(name)) != nil
    }

    /// InitProducerId for an idempotent producer: a fresh id (never handed out before by this
    /// data directory, see `ProducerIdAllocator`) at epoch 0.
    func initProducerId() -> InitProducerIdResponse {
        do {
            return InitProducerIdResponse(errorCode: KafkaError.none, producerId: try engine.allocateProducerId(), producerEpoch: 0)
        } catch {
            return InitProducerIdResponse(errorCode: KafkaError.code(error), producerId: -1, producerEpoch: -1)
        }
    }

    /// Fetch with long polling: answers at once when at least `minBytes` are there (or any error),
    /// else waits until one of the requested partitions is appended to (re-checking then) or
    /// `maxWaitMs` has passed. No polling: an idle long poll costs nothing until it times out.
    func fetch(_ request: FetchRequest) async -> FetchResponse {
        let r = Self.withUniquePartitions(request)
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(max(0, min(r.maxWaitMs, 30_000)))))
        let minBytes = Int(max(r.minBytes, 1))
        var notifiers: [AppendNotifier]?
        while true {
            // Generations are read before the fetch, so an append racing with it is not missed.
            let watched = notifiers ?? r.topics.flatMap { t in t.partitions.compactMap { try? engine.appendNotifier(topic: t.topic, partition: $0.partition) } }
            notifiers = watched
            let generations = watched.map(\.generation)
            let (response, bytes, failed) = fetchOnce(r)
            let now = ContinuousClock.now
            if failed || bytes >= minBytes || now >= deadline || Task.isCancelled || watched.isEmpty { return response }
            let waiter = AppendWaiter()
            for (notifier, generation) in zip(watched, generations) { notifier.register(waiter, ifGeneration: generation) }
            // Its timer on this event loop when the record path runs on one (`AppendWaiter+EventLoop`).
            await waiter.wait(timeout: deadline - now, onLoop: MultiThreadedEventLoopGroup.currentEventLoop)
            for notifier in watched { notifier.unregister(waiter) }
        }
    }

    /// `r` with each partition once, where it was first listed: a partition listed again (one
    /// partition 200 times) is read and answered once.
    static func withUniquePartitions(_ r: FetchRequest) -> FetchRequest {
        var seen = Set<TopicPartition>()
        var topicIndex: [String: Int] = [:]
        var unique = r
        unique.topics = []
        for topic in r.topics {
            // Unknown topic ids (v13+) have no name: each is told apart by its id.
            let key = Self.isUnknownTopicId(topic) ? "\u{0}\(topic.topicId)" : topic.topic
            let fresh = topic.partitions.filter { seen.insert(TopicPartition(key, $0.partition)).inserted }
            if let i = topicIndex[key] {
                unique.topics[i].partitions += fresh
            } else {
                var first = topic
                first.partitions = fresh
                topicIndex[key] = unique.topics.count
                unique.topics.append(first)
            }
        }
        return unique
    }

    private func fetchOnce(_ r: FetchRequest) -> (FetchResponse, Int, Bool) {
        var response = FetchResponse()
        var total = 0
        var failed = false
        // fetch.max.bytes caps what the client asks for (0 or less: "no limit of mine").
        let maxBytes = min(r.maxBytes <= 0 ? Int(Int32.max) : Int(r.maxBytes), configuration.limits.fetchMaxBytes)
        response.responses = r.topics.map { topic in
            var tr = FetchResponse.FetchableTopicResponse()
            tr.topic = topic.topic
            tr.topicId = topic.topicId
            tr.partitions = topic.partitions.map { p in
                var pd = FetchResponse.PartitionData()
                pd.partitionIndex = p.partition
                pd.preferredReadReplica = -1
                pd.abortedTransactions = []
                if Self.isUnknownTopicId(topic) {
                    pd.errorCode = KafkaError.unknownTopicId
                    pd.highWatermark = -1
                    pd.records = []
                    failed = true
                    return pd
                }
                do {
                    // KIP-74: the first partition with data gets at least one whole batch (the
                    // engine returns one even past the budget), whatever the limits; every later
                    // partition only what fits in both, else nothing this time.
                    let first = total == 0
                    let budget = first ? min(Int(max(p.partitionMaxBytes, 1)), maxBytes) : min(Int(p.partitionMaxBytes), maxBytes - total)
                    let (start, end) = try engine.offsets(topic: topic.topic, partition: p.partition)
                    if let error = Self.leaderEpochError(current: p.currentLeaderEpoch) {
                        pd.errorCode = error
                        pd.highWatermark = -1
                        pd.records = []
                        failed = true
                        return pd
                    }
                    pd.highWatermark = end
                    let stable = try engine.lastStableOffset(topic: topic.topic, partition: p.partition)
                    pd.lastStableOffset = stable
                    pd.logStartOffset = start
                    // read_committed (isolation level 1) reads only below the last stable offset.
                    let readCommitted = r.isolationLevel == 1
                    let limit = readCommitted ? stable : end
                    if budget > 0, p.fetchOffset < limit {
                        let result = try engine.fetch(topic: topic.topic, partition: p.partition, offset: p.fetchOffset, maxBytes: budget)
                        let bytes = readCommitted ? Self.batches(result.bytes, below: limit) : result.bytes
                        let fits = first || bytes.count <= budget
                        pd.records = fits ? bytes : []
                        total += fits ? bytes.count : 0
                        if readCommitted, fits {
                            pd.abortedTransactions = abortedTransactions(topic: topic.topic, partition: p.partition, from: p.fetchOffset, below: limit)
                        }
                    } else if p.fetchOffset > end || p.fetchOffset < start {
                        throw WharfError.offsetOutOfRange(topic: topic.topic, partition: p.partition, offset: p.fetchOffset, logStart: start, logEnd: end)
                    } else {
                        pd.records = []
                    }
                } catch {
                    pd.errorCode = KafkaError.code(error)
                    pd.records = []
                    failed = true
                }
                return pd
            }
            return tr
        }
        return (response, total, failed)
    }

    func listOffsets(_ r: ListOffsetsRequest, version: Int16) -> ListOffsetsResponse {
        var response = ListOffsetsResponse()
        response.topics = r.topics.map { topic in
            var tr = ListOffsetsResponse.ListOffsetsTopicResponse()
            tr.name = topic.name
            let queries = topic.partitions.map { p -> (partition: Int32, query: OffsetQuery) in
                let query: OffsetQuery = switch p.timestamp {
                case -1: .latest
                case -2: .earliest
                default: .timestamp(p.timestamp)
                }
                return (p.partitionIndex, query)
            }
            let results: [Result<Int64, WharfError>]
            do throws(WharfError) {
                results = try engine.listOffsets(topic: topic.name, queries)
            } catch {
                results = Array(repeating: .failure(error), count: queries.count)
            }
            let ends = topic.partitions.map { (try? engine.offsets(topic: topic.name, partition: $0.partitionIndex).logEnd) ?? -1 }
            tr.partitions = zip(zip(topic.partitions, results), ends).map { pair, end in
                let (p, result) = pair
                var pr = ListOffsetsResponse.ListOffsetsPartitionResponse()
                pr.partitionIndex = p.partitionIndex
                if end >= 0, let error = Self.leaderEpochError(current: p.currentLeaderEpoch) {
                    pr.errorCode = error
                    pr.offset = -1
                    pr.timestamp = -1
                    return pr
                }
                if p.timestamp == Self.maxTimestampQuery {
                    // KIP-734: where the largest timestamp is (-1/-1 on an empty partition).
                    do throws(WharfError) {
                        let found = try engine.maxTimestampOffset(topic: topic.name, partition: p.partitionIndex)
                        pr.offset = found?.offset ?? -1
                        pr.timestamp = found?.timestamp ?? -1
                        pr.leaderEpoch = 0
                    } catch {
                        pr.errorCode = KafkaError.code(error)
                    }
                    return pr
                }
                switch result {
                case .success(var offset):
                    // read_committed: "latest" is the last stable offset.
                    if p.timestamp == -1, r.isolationLevel == 1,
                       let stable = try? engine.lastStableOffset(topic: topic.name, partition: p.partitionIndex) { offset = stable }
                    // The engine answers a time with no record at or after it with the log end
                    // (what its own readers want); Kafka answers -1, and clients read -1 as
                    // "nothing there" (librdkafka's offsets_for_times, 0054).
                    if p.timestamp >= 0, offset >= end { offset = -1 }
                    pr.offset = offset
                    pr.timestamp = -1
                    pr.leaderEpoch = 0
                    if version == 0 { pr.oldStyleOffsets = [offset] }
                case .failure(let error):
                    pr.errorCode = KafkaError.code(error)
                }
                return pr
            }
            return tr
        }
        return response
    }

    /// ListOffsets' timestamp for "the record with the largest timestamp" (KIP-734, v7+).
    static let maxTimestampQuery: Int64 = -3

    func deleteRecords(_ r: DeleteRecordsRequest, actor: AuditActor) -> DeleteRecordsResponse {
        var response = DeleteRecordsResponse()
        response.topics = r.topics.map { topic in
            var tr = DeleteRecordsResponse.DeleteRecordsTopicResult()
            tr.name = topic.name
            tr.partitions = topic.partitions.map { p in
                var pr = DeleteRecordsResponse.DeleteRecordsPartitionResult()
                pr.partitionIndex = p.partitionIndex
                do {
                    pr.lowWatermark = try engine.deleteRecords(topic: topic.name, partition: p.partitionIndex, before: p.offset, actor: actor)
                } catch {
                    pr.errorCode = KafkaError.code(error)
                    pr.lowWatermark = -1
                }
                return pr
            }
            return tr
        }
        return response
    }

    func offsetForLeaderEpoch(_ r: OffsetForLeaderEpochRequest) -> OffsetForLeaderEpochResponse {
        var response = OffsetForLeaderEpochResponse()
        response.topics = r.topics.map { topic in
            var tr = OffsetForLeaderEpochResponse.OffsetForLeaderTopicResult()
            tr.topic = topic.topic
            tr.partitions = topic.partitions.map { p in
                Self.epochEndOffset(p, logEnd: { () throws(WharfError) in try engine.offsets(topic: topic.topic, partition: p.partition).logEnd })
            }
            return tr
        }
        return response
    }
}
