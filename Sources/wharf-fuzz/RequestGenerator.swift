import KafkaProtocol

/// Builds one request body per API with the generated codec types, every field drawn from
/// `FuzzValues`: mostly valid (known topics, groups, producer ids, offsets in range), so the
/// request reaches the broker's logic, and mutated field by field.
struct RequestGenerator {
    static let topics = ["fz0", "fz1", "fz2"]
    static let groups = ["fzg0", "fzg1", "__wharf-requeue.fz0"]
    static let transactionalIds = ["fzt0", "fzt1"]
    static let configNames = ["retention.ms", "segment.bytes", "cleanup.policy", "compression.type", "no.such.config"]
    var now: Int64
    /// Idempotent producer state: ids are issued sequentially by the broker, so a small range
    /// hits real ones; sequences advance per id as a real producer's do.
    var sequences: [Int64: Int32] = [:]

    func topic(_ v: inout FuzzValues, _ field: String) -> String {
        v.string(field, v.random.pick(Self.topics))
    }

    func group(_ v: inout FuzzValues, _ field: String) -> String {
        v.string(field, v.random.pick(Self.groups))
    }

    func partition(_ v: inout FuzzValues, _ field: String) -> Int32 { v.int32(field, Int32(v.random.int(0...2))) }
    func offset(_ v: inout FuzzValues, _ field: String) -> Int64 { v.int64(field, Int64(v.random.int(-2...20))) }

    mutating func body(_ key: ApiKey, _ v: inout FuzzValues) -> KafkaRequestBody? {
        switch key {
        case .produce: return .produce(produce(&v))
        case .fetch: return .fetch(fetch(&v))
        case .listOffsets: return .listOffsets(listOffsets(&v))
        case .metadata: return .metadata(metadata(&v))
        case .offsetCommit: return .offsetCommit(offsetCommit(&v))
        case .offsetFetch: return .offsetFetch(offsetFetch(&v))
        case .findCoordinator:
            let g = group(&v, "key")
            return .findCoordinator(FindCoordinatorRequest(key: g, keyType: v.int8("keyType", 0),
                                                           coordinatorKeys: v.array("coordinatorKeys", validCount: 1...3) { $0.string("coordinatorKeys[]", g) }))
        case .joinGroup: return .joinGroup(joinGroup(&v))
        case .heartbeat:
            return .heartbeat(HeartbeatRequest(groupId: group(&v, "groupId"), generationId: v.int32("generationId", 1),
                                               memberId: v.string("memberId", "m"), groupInstanceId: v.nullableString("groupInstanceId", nil)))
        case .leaveGroup:
            return .leaveGroup(LeaveGroupRequest(groupId: group(&v, "groupId"), memberId: v.string("memberId", "m"),
                                                 members: v.array("members", validCount: 1...2) {
                                                     .init(memberId: $0.string("members.memberId", "m"), groupInstanceId: $0.nullableString("members.groupInstanceId", nil))
                                                 }))
        case .syncGroup:
            return .syncGroup(SyncGroupRequest(groupId: group(&v, "groupId"), generationId: v.int32("generationId", 1), memberId: v.string("memberId", "m"),
                                               protocolType: v.nullableString("protocolType", "consumer"), protocolName: v.nullableString("protocolName", "range"),
                                               assignments: v.array("assignments", validCount: 0...2) {
                                                   .init(memberId: $0.string("assignments.memberId", "m"), assignment: $0.bytes("assignments.assignment", [0, 0, 0, 0, 0, 0, 0, 0]))
                                               }))
        case .describeGroups:
            return .describeGroups(DescribeGroupsRequest(groups: v.array("groups", validCount: 1...3) { $0.string("groups[]", $0.random.pick(Self.groups)) },
                                                         includeAuthorizedOperations: v.bool("includeAuthorizedOperations", false)))
        case .listGroups:
            return .listGroups(ListGroupsRequest(statesFilter: v.array("statesFilter", validCount: 0...1) { $0.string("statesFilter[]", "Stable") }))
        case .apiVersions:
            return .apiVersions(ApiVersionsRequest(clientSoftwareName: v.string("clientSoftwareName", "wharf-fuzz"),
                                                   clientSoftwareVersion: v.string("clientSoftwareVersion", "1")))
        case .createTopics: return .createTopics(createTopics(&v))
        case .deleteTopics:
            let names = v.array("topicNames", validCount: 1...2) { $0.string("topicNames[]", $0.random.pick(Self.topics)) }
            return .deleteTopics(DeleteTopicsRequest(topics: names.map { .init(name: $0) }, topicNames: names, timeoutMs: v.int32("timeoutMs", 1000)))
        case .deleteRecords:
            return .deleteRecords(DeleteRecordsRequest(topics: v.array("topics", validCount: 1...2) { v in
                return .init(name: topic(&v, "topics.name"), partitions: v.array("partitions", validCount: 1...2) {
                    .init(partitionIndex: partition(&$0, "partitionIndex"), offset: offset(&$0, "offset"))
                })
            }, timeoutMs: v.int32("timeoutMs", 1000)))
        case .initProducerId:
            return .initProducerId(InitProducerIdRequest(transactionalId: v.nullableString("transactionalId", v.random.pick([nil, "fzt0", "fzt1"])),
                                                         transactionTimeoutMs: v.int32("transactionTimeoutMs", 60000),
                                                         producerId: v.int64("producerId", -1), producerEpoch: v.int16("producerEpoch", -1)))
        case .offsetForLeaderEpoch:
            return .offsetForLeaderEpoch(OffsetForLeaderEpochRequest(replicaId: v.int32("replicaId", -1), topics: v.array("topics", validCount: 1...2) { v in
                return .init(topic: topic(&v, "topic"), partitions: v.array("partitions", validCount: 1...2) {
                    .init(partition: partition(&$0, "partition"), currentLeaderEpoch: $0.int32("currentLeaderEpoch", -1), leaderEpoch: $0.int32("leaderEpoch", 0))
                })
            }))
        case .describeConfigs:
            return .describeConfigs(DescribeConfigsRequest(resources: v.array("resources", validCount: 1...2) { v in
                return .init(resourceType: v.int8("resourceType", v.random.pick([2, 4])), resourceName: v.random.chance(0.5) ? "1" : topic(&v, "resourceName"),
                             configurationKeys: v.nullableArray("configurationKeys", validCount: 0...2) { $0.string("configurationKeys[]", "retention.ms") })
            }, includeSynonyms: v.bool("includeSynonyms", false)))
        case .describeLogDirs:
            return .describeLogDirs(DescribeLogDirsRequest(topics: v.nullableArray("topics", validCount: 0...2) { v in
                return .init(topic: topic(&v, "topic"), partitions: v.array("partitions", validCount: 1...2) { partition(&$0, "partitions[]") })
            }))
        case .createPartitions:
            return .createPartitions(CreatePartitionsRequest(topics: v.array("topics", validCount: 1...1) { v in
                return .init(name: topic(&v, "name"), count: v.int32("count", Int32(v.random.int(1...4))), assignments: nil)
            }, timeoutMs: v.int32("timeoutMs", 1000), validateOnly: v.bool("validateOnly", false)))
        case .alterConfigs:
            return .alterConfigs(AlterConfigsRequest(resources: v.array("resources", validCount: 1...2) { v in
                return .init(resourceType: v.int8("resourceType", v.random.pick([2, 4])), resourceName: topic(&v, "resourceName"),
                             configs: v.array("configs", validCount: 0...2) { .init(name: $0.string("configs.name", $0.random.pick(Self.configNames)), value: $0.nullableString("configs.value", "1000")) })
            }, validateOnly: v.bool("validateOnly", false)))
        case .incrementalAlterConfigs:
            return .incrementalAlterConfigs(IncrementalAlterConfigsRequest(resources: v.array("resources", validCount: 1...2) { v in
                return .init(resourceType: v.int8("resourceType", v.random.pick([2, 4])), resourceName: topic(&v, "resourceName"),
                             configs: v.array("configs", validCount: 0...2) {
                                 .init(name: $0.string("configs.name", $0.random.pick(Self.configNames)), configOperation: $0.int8("configs.configOperation", $0.random.pick([0, 1, 2, 3])),
                                       value: $0.nullableString("configs.value", "1000"))
                             })
            }, validateOnly: v.bool("validateOnly", false)))
        case .describeCluster:
            return .describeCluster(DescribeClusterRequest(includeClusterAuthorizedOperations: v.bool("includeClusterAuthorizedOperations", false),
                                                           endpointType: v.int8("endpointType", 1)))
        case .offsetDelete:
            return .offsetDelete(OffsetDeleteRequest(groupId: v.string("groupId", v.random.pick(Self.groups)), topics: v.array("topics", validCount: 1...2) { v in
                return .init(name: topic(&v, "topics.name"), partitions: v.array("partitions", validCount: 1...2) { .init(partitionIndex: partition(&$0, "partitionIndex")) })
            }))
        case .describeProducers:
            return .describeProducers(DescribeProducersRequest(topics: v.array("topics", validCount: 1...1) { v in
                return .init(name: topic(&v, "topics.name"), partitionIndexes: [partition(&v, "partitionIndexes[]")])
            }))
        case .addPartitionsToTxn:
            return .addPartitionsToTxn(AddPartitionsToTxnRequest(
                v3AndBelowTransactionalId: v.string("transactionalId", v.random.pick(Self.transactionalIds)),
                v3AndBelowProducerId: v.int64("producerId", Int64(v.random.int(0...3))), v3AndBelowProducerEpoch: v.int16("producerEpoch", 0),
                v3AndBelowTopics: v.array("topics", validCount: 1...2) { v in
                    .init(name: topic(&v, "topics.name"), partitions: [partition(&v, "partitions[]")])
                }))
        case .addOffsetsToTxn:
            return .addOffsetsToTxn(AddOffsetsToTxnRequest(transactionalId: v.string("transactionalId", v.random.pick(Self.transactionalIds)),
                                                           producerId: v.int64("producerId", Int64(v.random.int(0...3))),
                                                           producerEpoch: v.int16("producerEpoch", 0), groupId: v.string("groupId", v.random.pick(Self.groups))))
        case .txnOffsetCommit:
            return .txnOffsetCommit(TxnOffsetCommitRequest(
                transactionalId: v.string("transactionalId", v.random.pick(Self.transactionalIds)), groupId: v.string("groupId", v.random.pick(Self.groups)),
                producerId: v.int64("producerId", Int64(v.random.int(0...3))), producerEpoch: v.int16("producerEpoch", 0),
                topics: v.array("topics", validCount: 1...2) { v in
                    .init(name: topic(&v, "topics.name"), partitions: [.init(partitionIndex: partition(&v, "partitionIndex"), committedOffset: offset(&v, "committedOffset"))])
                }))
        case .endTxn:
            return .endTxn(EndTxnRequest(transactionalId: v.string("transactionalId", v.random.pick(Self.transactionalIds)),
                                         producerId: v.int64("producerId", Int64(v.random.int(0...3))),
                                         producerEpoch: v.int16("producerEpoch", 0), committed: v.bool("committed", v.random.int(0...1) == 1)))
        case .deleteGroups:
            return .deleteGroups(DeleteGroupsRequest(groupsNames: v.array("groupsNames", validCount: 1...2) { $0.string("groupsNames[]", $0.random.pick(Self.groups)) }))
        case .consumerGroupHeartbeat:
            return .consumerGroupHeartbeat(ConsumerGroupHeartbeatRequest(
                groupId: v.string("groupId", v.random.pick(Self.groups)), memberId: v.string("memberId", ""),
                memberEpoch: v.int32("memberEpoch", v.random.pick([0, 1, -1, -2])), instanceId: v.nullableString("instanceId", nil),
                rackId: v.nullableString("rackId", nil), rebalanceTimeoutMs: v.int32("rebalanceTimeoutMs", 30_000),
                subscribedTopicNames: v.nullableArray("subscribedTopicNames", validCount: 1...2) { topic(&$0, "subscribedTopicNames[]") },
                subscribedTopicRegex: v.nullableString("subscribedTopicRegex", nil), serverAssignor: v.nullableString("serverAssignor", nil),
                topicPartitions: v.nullableArray("topicPartitions", validCount: 0...1) { v in
                    .init(topicId: KafkaUUID(high: 1, low: 2), partitions: [partition(&v, "topicPartitions.partitions[]")])
                }))
        case .describeTransactions:
            return .describeTransactions(DescribeTransactionsRequest(transactionalIds: v.array("transactionalIds", validCount: 0...2) {
                $0.string("transactionalIds[]", $0.random.pick(Self.transactionalIds))
            }))
        case .listTransactions:
            return .listTransactions(ListTransactionsRequest(
                stateFilters: v.array("stateFilters", validCount: 0...2) { $0.string("stateFilters[]", $0.random.pick(["Ongoing", "Empty", "CompleteCommit", "Nope"])) },
                producerIdFilters: v.array("producerIdFilters", validCount: 0...1) { $0.int64("producerIdFilters[]", 0) },
                durationFilter: v.int64("durationFilter", -1)))
        case .consumerGroupDescribe:
            return .consumerGroupDescribe(ConsumerGroupDescribeRequest(groupIds: v.array("groupIds", validCount: 1...2) { $0.string("groupIds[]", $0.random.pick(Self.groups)) }))
        case .saslHandshake:
            return .saslHandshake(SaslHandshakeRequest(mechanism: v.string("mechanism", v.random.pick(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]))))
        case .saslAuthenticate:
            return .saslAuthenticate(SaslAuthenticateRequest(authBytes: v.bytes("authBytes", Array("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL".utf8))))
        case .describeUserScramCredentials:
            return .describeUserScramCredentials(DescribeUserScramCredentialsRequest(users: v.nullableArray("users", validCount: 0...2) {
                .init(name: $0.string("users.name", "alice"))
            }))
        case .alterUserScramCredentials:
            return .alterUserScramCredentials(AlterUserScramCredentialsRequest(
                deletions: v.array("deletions", validCount: 0...1) { .init(name: $0.string("deletions.name", "alice"), mechanism: $0.int8("deletions.mechanism", 1)) },
                upsertions: v.array("upsertions", validCount: 0...1) {
                    .init(name: $0.string("upsertions.name", "alice"), mechanism: $0.int8("upsertions.mechanism", 2),
                          iterations: $0.int32("upsertions.iterations", 4096), salt: $0.bytes("upsertions.salt", [1, 2, 3, 4]),
                          saltedPassword: $0.bytes("upsertions.saltedPassword", [UInt8](repeating: 7, count: 64)))
                }))
        case .describeAcls:
            return .describeAcls(DescribeAclsRequest(
                resourceTypeFilter: v.int8("resourceTypeFilter", v.random.pick([1, 2, 3, 4])),
                resourceNameFilter: v.nullableString("resourceNameFilter", v.random.pick([nil, "orders"])),
                patternTypeFilter: v.int8("patternTypeFilter", v.random.pick([1, 2, 3, 4])),
                principalFilter: v.nullableString("principalFilter", v.random.pick([nil, "User:alice"])),
                hostFilter: v.nullableString("hostFilter", nil),
                operation: v.int8("operation", v.random.pick([1, 3, 4])), permissionType: v.int8("permissionType", v.random.pick([1, 3]))))
        case .createAcls:
            return .createAcls(CreateAclsRequest(creations: v.array("creations", validCount: 1...2) {
                .init(resourceType: $0.int8("creations.resourceType", 2), resourceName: $0.string("creations.resourceName", "orders"),
                      resourcePatternType: $0.int8("creations.resourcePatternType", 3),
                      principal: $0.string("creations.principal", "User:alice"), host: $0.string("creations.host", "*"),
                      operation: $0.int8("creations.operation", 3), permissionType: $0.int8("creations.permissionType", 3))
            }))
        case .deleteAcls:
            return .deleteAcls(DeleteAclsRequest(filters: v.array("filters", validCount: 1...2) {
                .init(resourceTypeFilter: $0.int8("filters.resourceTypeFilter", 2),
                      resourceNameFilter: $0.nullableString("filters.resourceNameFilter", "orders"),
                      patternTypeFilter: $0.int8("filters.patternTypeFilter", 3),
                      principalFilter: $0.nullableString("filters.principalFilter", nil), hostFilter: $0.nullableString("filters.hostFilter", nil),
                      operation: $0.int8("filters.operation", 1), permissionType: $0.int8("filters.permissionType", 1))
            }))
        }
    }

    mutating func produce(_ v: inout FuzzValues) -> ProduceRequest {
        let acks = v.int16("acks", v.random.pick([-1, 1, 0]))
        let topicData = v.array("topicData", validCount: 1...2) { (v: inout FuzzValues) -> ProduceRequest.TopicProduceData in
            let name = topic(&v, "topicData.name")
            return .init(name: name, partitionData: v.array("partitionData", validCount: 1...2) { v in
                .init(index: partition(&v, "partitionData.index"), records: records(&v))
            })
        }
        return ProduceRequest(transactionalId: v.nullableString("transactionalId", nil), acks: acks, timeoutMs: v.int32("timeoutMs", 1000), topicData: topicData)
    }

    /// The `records` field: one to three batches back to back (valid or fuzzed), sometimes
    /// null, truncated, or raw garbage.
    mutating func records(_ v: inout FuzzValues) -> [UInt8]? {
        if v.mutate("records(null)") { return nil }
        var out: [UInt8] = []
        for _ in 0..<v.random.pick([1, 1, 1, 2, 3]) {
            var producer: (id: Int64, epoch: Int16, sequence: Int32)? = nil
            if v.random.chance(0.3) {
                let id = Int64(v.random.int(1000...1003))
                let sequence = sequences[id, default: 0]
                producer = (id, 0, sequence)
                sequences[id] = sequence &+ 1
            }
            if v.random.chance(0.5) {
                out += FuzzBatches.valid(count: v.random.int(1...5), valueSize: v.random.int(0...300), timestamp: now,
                                         producerId: producer?.id ?? -1, producerEpoch: producer?.epoch ?? -1, baseSequence: producer?.sequence ?? -1)
            } else {
                out += FuzzBatches.fuzzed(&v, now: now, producer: producer)
            }
        }
        if v.mutate("records(truncated)"), !out.isEmpty { out.removeLast(v.random.int(1...out.count)) }
        if v.mutate("records(garbage)") { out = v.bytes("records(garbage)", out) }
        return out
    }

    mutating func fetch(_ v: inout FuzzValues) -> FetchRequest {
        var r = FetchRequest()
        r.replicaId = v.int32("replicaId", -1)
        r.maxWaitMs = v.random.chance(0.02) ? v.interesting(Int32.self) : Int32(v.random.int(0...50))
        r.minBytes = v.int32("minBytes", 1)
        r.maxBytes = v.int32("maxBytes", 1 << 20)
        r.isolationLevel = v.int8("isolationLevel", 0)
        r.sessionId = v.int32("sessionId", 0)
        r.sessionEpoch = v.int32("sessionEpoch", -1)
        r.topics = v.array("topics", validCount: 1...2) { v in
            .init(topic: topic(&v, "topics.topic"), partitions: v.array("partitions", validCount: 1...3) { v in
                .init(partition: partition(&v, "partition"), currentLeaderEpoch: v.int32("currentLeaderEpoch", -1), fetchOffset: offset(&v, "fetchOffset"),
                      logStartOffset: v.int64("logStartOffset", -1), partitionMaxBytes: v.int32("partitionMaxBytes", 1 << 20))
            })
        }
        r.forgottenTopicsData = v.array("forgottenTopicsData", validCount: 0...0) { v in
            .init(topic: topic(&v, "forgotten.topic"), partitions: [partition(&v, "forgotten.partitions[]")])
        }
        r.rackId = v.string("rackId", "")
        return r
    }

    mutating func listOffsets(_ v: inout FuzzValues) -> ListOffsetsRequest {
        ListOffsetsRequest(replicaId: v.int32("replicaId", -1), isolationLevel: v.int8("isolationLevel", 0), topics: v.array("topics", validCount: 1...2) { v in
            .init(name: topic(&v, "name"), partitions: v.array("partitions", validCount: 1...2) { v in
                .init(partitionIndex: partition(&v, "partitionIndex"), currentLeaderEpoch: v.int32("currentLeaderEpoch", -1),
                      timestamp: v.int64("timestamp", v.random.pick([-1, -2, now - 60_000, now, 1 << 62])), maxNumOffsets: v.int32("maxNumOffsets", 1))
            })
        })
    }

    mutating func metadata(_ v: inout FuzzValues) -> MetadataRequest {
        MetadataRequest(topics: v.nullableArray("topics", validCount: 0...3) { v in .init(name: v.nullableString("topics.name", v.random.pick(Self.topics))) },
                        allowAutoTopicCreation: v.bool("allowAutoTopicCreation", true))
    }

    mutating func offsetCommit(_ v: inout FuzzValues) -> OffsetCommitRequest {
        OffsetCommitRequest(groupId: group(&v, "groupId"), generationIdOrMemberEpoch: v.int32("generationId", -1), memberId: v.string("memberId", ""),
                            groupInstanceId: v.nullableString("groupInstanceId", nil), retentionTimeMs: v.int64("retentionTimeMs", -1),
                            topics: v.array("topics", validCount: 1...2) { v in
                                .init(name: topic(&v, "name"), partitions: v.array("partitions", validCount: 1...2) { v in
                                    .init(partitionIndex: partition(&v, "partitionIndex"), committedOffset: offset(&v, "committedOffset"),
                                          committedLeaderEpoch: v.int32("committedLeaderEpoch", -1), commitTimestamp: v.int64("commitTimestamp", -1),
                                          committedMetadata: v.nullableString("committedMetadata", ""))
                                })
                            })
    }

    mutating func offsetFetch(_ v: inout FuzzValues) -> OffsetFetchRequest {
        let g = group(&v, "groupId")
        let topics = v.nullableArray("topics", validCount: 1...2) { v in
            OffsetFetchRequest.OffsetFetchRequestTopic(name: topic(&v, "topics.name"), partitionIndexes: v.array("partitionIndexes", validCount: 1...2) { partition(&$0, "partitionIndexes[]") })
        }
        return OffsetFetchRequest(groupId: g, topics: topics, groups: v.array("groups", validCount: 1...2) { v in
            .init(groupId: v.string("groups.groupId", g), topics: topics?.map { .init(name: $0.name, partitionIndexes: $0.partitionIndexes) })
        }, requireStable: v.bool("requireStable", false))
    }

    mutating func joinGroup(_ v: inout FuzzValues) -> JoinGroupRequest {
        // Valid timeouts are short, so a join that waits for a rebalance costs the fuzzer little.
        JoinGroupRequest(groupId: group(&v, "groupId"), sessionTimeoutMs: v.int32("sessionTimeoutMs", 6000), rebalanceTimeoutMs: v.int32("rebalanceTimeoutMs", 1000),
                         memberId: v.string("memberId", ""), groupInstanceId: v.nullableString("groupInstanceId", nil), protocolType: v.string("protocolType", "consumer"),
                         protocols: v.array("protocols", validCount: 1...2) {
                             .init(name: $0.string("protocols.name", "range"), metadata: $0.bytes("protocols.metadata", [0, 0, 0, 0, 0, 1, 0, 3, 0x66, 0x7a, 0x30, 0, 0, 0, 0]))
                         })
    }

    mutating func createTopics(_ v: inout FuzzValues) -> CreateTopicsRequest {
        CreateTopicsRequest(topics: v.array("topics", validCount: 1...2) { v in
            .init(name: topic(&v, "name"), numPartitions: v.random.chance(0.05) ? v.interesting(Int32.self) : Int32(v.random.int(1...3)),
                  replicationFactor: v.int16("replicationFactor", 1), assignments: [],
                  configs: v.array("configs", validCount: 0...1) { v in
                      .init(name: v.string("configs.name", v.random.pick(["retention.ms", "segment.bytes", "cleanup.policy", "segment.ms", "retention.bytes"])),
                            value: v.nullableString("configs.value", v.random.pick(["-1", "1048576", "delete", "compact", "60000", "0"])))
                  })
        }, timeoutMs: v.int32("timeoutMs", 1000), validateOnly: v.bool("validateOnly", false))
    }
}
