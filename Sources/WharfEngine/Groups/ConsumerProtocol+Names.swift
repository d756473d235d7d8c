import WharfAdmin

// The consumer protocol's encodings and the client-side assignors are rules every source shares
// (WharfAdmin: the embedded consumer and the Kafka-cluster consumer both run them); these names
// keep them part of the engine's API, so embedding applications need not import WharfAdmin.
public typealias ConsumerProtocol = WharfAdmin.ConsumerProtocol
public typealias ConsumerSubscription = WharfAdmin.ConsumerSubscription
public typealias ConsumerAssignment = WharfAdmin.ConsumerAssignment
public typealias PartitionAssignor = WharfAdmin.PartitionAssignor
public typealias RangeAssignor = WharfAdmin.RangeAssignor
public typealias RoundRobinAssignor = WharfAdmin.RoundRobinAssignor
