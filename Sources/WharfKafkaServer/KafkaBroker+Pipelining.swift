import KafkaProtocol
import WharfStorage

/// Pipelining: a connection's requests are started in arrival order, but the answer of a
/// Produce may wait for the disk (the `always` group commit) while the next requests start.
extension KafkaBroker {
    /// A request that has run up to its answer: ready, or still waiting (a Produce for its
    /// fdatasync). The connection hands answers out in request order either way.
    public enum Started: Sendable {
        case ready(Outcome)
        /// Ready, and its appends woke parked Fetches: on a shared event loop their answers (the
        /// records' delivery) should be written before this acknowledgement (`KafkaConnectionHandler.serve`).
        case readyAfterReaders(Outcome)
        case later(@Sendable () async -> Outcome)

        public func outcome() async -> Outcome {
            switch self {
            case .ready(let outcome), .readyAfterReaders(let outcome): outcome
            case .later(let finish): await finish()
            }
        }
    }

    /// Runs `payload` as `handle` does, except that a Produce returns once its batches are
    /// written (in order, so sequence checks see them as sent), its answer left to wait for durability.
    /// `session` carries the connection's SASL state: a client that still has to authenticate (or
    /// is mid-exchange) takes the ordinary path, which refuses it. `syncRounds` is the caller's
    /// event loop when the request runs there: an `always` round may then run on it (`LogSyncer`).
    public func start(_ payload: [UInt8], session: inout ConnectionSession, syncRounds: SyncRoundRunner? = nil) async -> Started {
        // The api key leads the payload; Produce is 0. Anything else (or a Produce that does not
        // decode, a read-only listener's refusal, a client not yet authenticated) takes the ordinary path.
        guard !configuration.readOnly, !session.awaitsRawTokens, session.isAuthenticated || !security(of: session).requiresSASL,
              payload.count >= 2, payload[0] == 0, payload[1] == 0,
              let request = try? KafkaRequest.decode(payload, supported: supported),
              case .produce = request.body else {
            return .ready(await handle(payload, session: &session))
        }
        // --authorize: the topics the principal may not write are taken out, and answered.
        let plan = accessControl.map { authorizationPlan(request.body, version: request.apiVersion, check: accessCheck($0, session: session)) }
            ?? .proceed(request.body, nil)
        guard case .proceed(.produce(let r), let amendment) = plan else { return .ready(await handle(payload, session: &session)) }
        let inFlight = produce(r)
        let (id, version, acks) = (request.correlationId, request.apiVersion, r.acks)
        let answer: @Sendable (ProduceResponse) -> Outcome = { response in
            acks == 0 ? .noResponse : Self.reply(amendment?.apply(to: response) ?? response, correlationId: id, version: version)
        }
        // Nothing to wait for (any policy but `always`): the answer is ready now, and the
        // connection can write it at once (`KafkaConnectionHandler.serve`).
        if inFlight.pending.allSatisfy(\.append.isDurable) {
            let outcome = answer(inFlight.response)
            return inFlight.pending.contains(where: \.append.wokeReaders) ? .readyAfterReaders(outcome) : .ready(outcome)
        }
        // Under `always`: the group commit's round is asked for now, once every partition is
        // written, so the syncer's wake-up and fdatasync overlap this loop's hand-over of the
        // answer to the writer task (asked only when the answer starts waiting, every round trip
        // of a client with one Produce in flight paid that hand-over first). Where no CPU is free,
        // the woken syncer can preempt the loop instead: BENCHMARKS.md, issue 17 session 13. On
        // the listener's loop the round runs there, after the requests it has already read.
        for p in inFlight.pending { p.append.requestDurability(runner: syncRounds) }
        return .later { answer(await inFlight.acknowledged()) }
    }
}
