import WharfAdmin
import WharfDashboard

extension BrokerSnapshot {
    /// The Brokers view's row of a broker any source described; `diskLocation` names its volume
    /// in the overview's disk warning (nil on the embedded engine, whose header names the directory).
    public init(_ b: BrokerDescription, diskLocation: String?) {
        self.init(id: b.id, address: b.address, isController: b.isController, leaderPartitions: b.leaderPartitions, replicas: b.replicas,
                  outOfSync: b.outOfSync, disk: b.volume.map { DiskSnapshot($0, location: diskLocation) }, isOnline: b.isOnline)
    }
}

extension DiskSnapshot {
    public init(_ v: BrokerDescription.Volume, location: String?) {
        self.init(totalBytes: v.totalBytes, freeBytes: v.usableBytes, location: location)
    }
}
