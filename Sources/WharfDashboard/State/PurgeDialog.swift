/// The purge dialog: pick "up to" offset, see how many records go, type `purge` to confirm.
public struct PurgeDialog: Equatable, Sendable {
    public enum Step: Equatable, Sendable { case offset, confirm }
    public struct Row: Equatable, Sendable {
        public var partition: Int32
        public var beforeOffset: Int64
        public var records: Int64
    }

    public static let confirmWord = "purge"

    public var topic: String
    public var partitions: [Int32]
    public var step: Step = .offset
    public var input = TextInput("end")
    public var confirmation = TextInput()
    public var plan: [Row] = []
    public var error: String?

    public var totalRecords: Int64 { plan.reduce(0) { $0 + $1.records } }
}
