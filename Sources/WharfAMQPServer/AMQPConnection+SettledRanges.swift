import WharfAMQP

/// The settled dispositions Wharf owes for many deliveries at once (the acknowledgements of the
/// sends one read stored, the echoes of the completions it journaled) go out as ranges: one
/// disposition covers `first...last` of a session's delivery ids (AMQP part 2 §2.7.6), so a read
/// of n transfers is answered with one frame instead of n. pyamqp (7.15.0, sender and receiver
/// links), proton and the .NET client read the range; the ids in between must share the state.
extension AMQPConnection {
    struct SettledOutcome {
        var channel: UInt16
        var deliveryId: UInt32
        var state: DeliveryState
    }

    /// Sends one settled disposition per run of `outcomes` (in their order) that are on one
    /// channel, have consecutive delivery ids and the same state. `isReceiver`: Wharf is the
    /// receiver of those deliveries (send acknowledgements) or their sender (completion echoes).
    func sendSettled(_ outcomes: [SettledOutcome], isReceiver: Bool) {
        var i = 0
        while i < outcomes.count {
            let first = outcomes[i]
            var last = first.deliveryId
            var j = i + 1
            // A run never wraps past 2^32 - 1: pyamqp's sender reads the range as range(first, last + 1).
            while j < outcomes.count, outcomes[j].channel == first.channel, last != .max,
                  outcomes[j].deliveryId == last + 1, outcomes[j].state == first.state {
                last += 1
                j += 1
            }
            send(channel: first.channel, .disposition(Disposition(isReceiver: isReceiver, first: first.deliveryId, last: last,
                                                                  settled: true, state: first.state.value)))
            i = j
        }
    }
}
