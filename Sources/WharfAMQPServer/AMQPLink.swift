import WharfAMQP
import WharfEngine

/// One attached link of an AMQP session, named by the client's handle (Wharf answers with the
/// same handle number). Confined to its connection's event loop.
final class AMQPLink {
    enum Role {
        /// `$cbs` request link (the client sends put-token) and response link (Wharf answers).
        case cbsRequests, cbsResponses
        /// `<entity>/$management` request and response links.
        case managementRequests(entity: String), managementResponses
        /// The client sends messages into `entity`.
        case sender(entity: String)
        /// Wharf delivers messages of `entity` (of one session when `session` is set).
        case receiver(entity: String, mode: ReceiveMode, session: SessionLock?)
    }

    let name: String
    let handle: UInt32
    let role: Role
    /// The client's source and target, echoed as sent (reference §0.2 #5).
    let source: AMQPValue
    let target: AMQPValue

    /// Links Wharf sends on: deliveries sent so far (mod 2^32) and credit left.
    var deliveryCount: UInt32 = 0
    var credit: UInt32 = 0
    var drain = false
    /// Deliveries taken from the queue (credit spent, delivery-count raised) and not sent yet:
    /// their journal entries wait for an fdatasync (`pump`). A drain is echoed only after them.
    var deliveriesAwaitingDurability = 0
    /// Links the client sends on: deliveries received, and the delivery being assembled.
    var received: UInt32 = 0
    /// The delivery count up to which the client may send (absolute, mod 2^32).
    var creditGranted: UInt32 = 0
    var partial: PartialDelivery?

    struct PartialDelivery {
        var deliveryId: UInt32?
        var settled: Bool
        var messageFormat: UInt32?
        var payload: [UInt8]
        var tooLarge: Bool
    }

    init(name: String, handle: UInt32, role: Role, source: AMQPValue, target: AMQPValue) {
        self.name = name
        self.handle = handle
        self.role = role
        self.source = source
        self.target = target
    }

    /// The address the client reads responses on (the target of a link Wharf sends on).
    var targetAddress: String? { (try? Terminus(target))?.address }
}

/// An AMQP session (one `begin`), named by the client's channel; Wharf answers on the same number.
final class AMQPSession {
    let channel: UInt16
    var links: [UInt32: AMQPLink] = [:]
    /// Wharf's next delivery id (one per delivery, as pyamqp counts, reference §3.4).
    var nextOutgoingId: UInt32 = 0
    /// The client's next transfer id as last seen, and its window for Wharf's transfers.
    var nextIncomingId: UInt32 = 0
    var remoteIncomingWindow: UInt32 = 0
    /// Transfers counted against the window (and their links' credit) and not sent yet: they
    /// wait for their lock grants' fdatasync (`pump`); a window the client sends meanwhile is
    /// reduced by them.
    var transfersAwaitingDurability: UInt32 = 0
    /// Transfers received since Wharf last refreshed the client's view of its window.
    var transfersSinceFlow = 0
    /// Peek-lock deliveries not yet settled: delivery id -> what settles them.
    var unsettled: [UInt32: Unsettled] = [:]
    var nextTag: UInt32 = 0

    struct Unsettled {
        var handle: UInt32
        var entity: String
        var lockToken: String
    }

    init(channel: UInt16) { self.channel = channel }
}
