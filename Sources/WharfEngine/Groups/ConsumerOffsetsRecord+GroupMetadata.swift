import WharfCore

/// Group-metadata values (`GroupMetadataValue.json`), after the `i16` version:
/// ```
/// string protocol_type, i32 generation, nullable string protocol, nullable string leader,
/// [v2+] i64 current_state_timestamp,
/// i32 member count, then per member:
///   string member_id, [v3+] nullable string group_instance_id, string client_id,
///   string client_host, [v1+] i32 rebalance_timeout, i32 session_timeout,
///   bytes subscription (i32 length), bytes assignment (i32 length)
/// ```
/// Wharf writes v3 and reads v0-v3; v4 (flexible) and later decode as nil (skipped).
extension ConsumerOffsetsRecord {
    static func groupKey(_ group: String) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBigEndian(groupKeyVersion)
        out.appendKafkaString(group)
        return out
    }

    static func groupValue(_ s: GroupMetadataSnapshot) -> [UInt8] {
        var out: [UInt8] = []
        out.appendBigEndian(groupValueVersion)
        out.appendKafkaString(s.protocolType)
        out.appendBigEndian(s.generationId)
        out.appendKafkaNullableString(s.protocolName)
        out.appendKafkaNullableString(s.leaderId)
        out.appendBigEndian(s.currentStateTimestamp)
        out.appendKafkaArrayCount(s.members.count)
        for m in s.members {
            out.appendKafkaString(m.memberId)
            out.appendKafkaNullableString(m.groupInstanceId)
            out.appendKafkaString(m.clientId)
            out.appendKafkaString(m.clientHost)
            out.appendBigEndian(m.rebalanceTimeoutMs)
            out.appendBigEndian(m.sessionTimeoutMs)
            out.appendKafkaBytes(m.subscription)
            out.appendKafkaBytes(m.assignment)
        }
        return out
    }

    static func decodeGroupValue(_ value: [UInt8]) throws(WharfError) -> GroupMetadataSnapshot? {
        try withKafkaReader(value) { (r: inout ByteReader) throws(WharfError) -> GroupMetadataSnapshot? in
            let version = try r.readInt16()
            guard (0...3).contains(version) else { return nil }
            let protocolType = try r.readKafkaString()
            let generation = try r.readInt32()
            let protocolName = try r.readKafkaNullableString()
            let leader = try r.readKafkaNullableString()
            let stateTimestamp = version >= 2 ? try r.readInt64() : -1
            // The smallest member (v0, empty strings and bytes) takes 2+2+2+4+4+4 bytes.
            let count = try r.readKafkaArrayCount(minElementSize: 18)
            var members: [GroupMetadataSnapshot.Member] = []
            members.reserveCapacity(count)
            for _ in 0..<count {
                let memberId = try r.readKafkaString()
                let instanceId = version >= 3 ? try r.readKafkaNullableString() : nil
                let clientId = try r.readKafkaString()
                let clientHost = try r.readKafkaString()
                let rebalanceTimeout = version >= 1 ? try r.readInt32() : -1
                let sessionTimeout = try r.readInt32()
                let subscription = try r.readKafkaBytes()
                let assignment = try r.readKafkaBytes()
                members.append(.init(
                    memberId: memberId, groupInstanceId: instanceId, clientId: clientId, clientHost: clientHost,
                    rebalanceTimeoutMs: rebalanceTimeout, sessionTimeoutMs: sessionTimeout,
                    subscription: subscription, assignment: assignment))
            }
            return GroupMetadataSnapshot(
                protocolType: protocolType, generationId: generation, protocolName: protocolName,
                leaderId: leader, currentStateTimestamp: stateTimestamp, members: members)
        }
    }
}
