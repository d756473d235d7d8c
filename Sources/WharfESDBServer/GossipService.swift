import Foundation
import GRPCCore
import WharfESDBProtocol

/// `Gossip.Read`: a cluster of one, the leader. Clients call it only with `+discover` URIs or
/// several hosts; they keep the member if it is Leader and reconnect only when there are several.
struct GossipService: EventStore_Client_Gossip_Gossip.SimpleServiceProtocol {
    /// Where clients are told to connect (the bound port is only known after the bind).
    let endpoint: @Sendable () -> (host: String, port: Int)
    /// Stable for the life of the listener, as a node's id is.
    let instanceId = UUID()

    func read(request: EventStore_Client_Empty, context: ServerContext) async throws -> EventStore_Client_Gossip_ClusterInfo {
        let (host, port) = endpoint()
        var member = EventStore_Client_Gossip_MemberInfo()
        member.instanceID = ESDBWire.uuid(instanceId, structured: false)
        member.timeStamp = Int64(Date().timeIntervalSince1970 * 10_000_000)
        member.state = .leader
        member.isAlive = true
        member.httpEndPoint.address = host
        member.httpEndPoint.port = UInt32(clamping: port)
        var info = EventStore_Client_Gossip_ClusterInfo()
        info.members = [member]
        return info
    }
}
