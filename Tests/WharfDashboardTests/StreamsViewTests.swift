import Testing
@testable import WharfDashboard

/// The Streams & projections view over a fixed event-store snapshot fed for six ticks.
enum StreamsFixture {
    static func events(tick i: Int) -> EventsSnapshot {
        let t = Fixture.start + Int64(i) * 1000
        return EventsSnapshot(
            totalEvents: 2_000 + UInt64(i) * 30,
            categories: [
                EventCategorySnapshot(name: "account", streams: 12, events: 1_600 + UInt64(i) * 25, lastAppendMs: t - 200),
                EventCategorySnapshot(name: "order", streams: 40, events: 400 + UInt64(i) * 5, lastAppendMs: t - 4_000),
            ],
            readers: [
                EventReaderSnapshot(name: "fraud-review", kind: .persistent, source: "$all", group: "fraud-review", state: .running,
                                    checkpoint: 1_990, lagEvents: 12, lagSeconds: 0.8, parked: 7),
                EventReaderSnapshot(name: "balances", kind: .projection, source: "$ce-account", state: .rebuilding, checkpoint: 812,
                                    lagEvents: 940, lagSeconds: 41.5, processed: 700, head: 1_640, rebuildDone: 700, rebuildTotal: 1_625,
                                    database: "/var/lib/wharf/balances.sqlite", rebuildable: true),
                EventReaderSnapshot(name: "order-totals", kind: .projection, source: "$ce-order", state: .faulted,
                                    error: "no such table: totals", checkpoint: 388, lagEvents: 37, lagSeconds: 12.0, processed: 388,
                                    head: 425, database: "/var/lib/wharf/orders.sqlite", rebuildable: false),
                EventReaderSnapshot(name: "search-indexer", kind: .catchUp, source: "$all", state: .stopped, checkpoint: 1_500,
                                    lagEvents: 530, lagSeconds: 95.2),
            ])
    }

    static func state(width: Int = 80, height: Int = 24, readOnly: Bool = false) -> DashboardState {
        var cluster = SyntheticCluster(demoAt: Fixture.start)
        var state = DashboardState(capabilities: .all, readOnly: readOnly, width: width, height: height)
        for i in 0..<6 {
            cluster.advance(to: Fixture.start + Int64(i) * 1000)
            var snap = cluster.snapshot(source: "/var/lib/wharf", listener: "listening on :9092")
            snap.events = events(tick: i)
            _ = state.update(.tick(snap))
        }
        return state
    }
}

@Suite("Streams & projections view")
struct StreamsViewTests {
    static func screen(_ name: String, _ w: Int, _ h: Int, readOnly: Bool = false, keys: [Key]) {
        var state = StreamsFixture.state(width: w, height: h, readOnly: readOnly)
        Fixture.press(&state, keys)
        let canvas = Dashboard.render(state, width: w, height: h)
        for y in 0..<h { #expect(DisplayWidth.of(canvas.line(y)) == w, "row \(y) of \(name) is misaligned") }
        assertSnapshot(canvas, named: "\(name)-\(w)x\(h)")
    }

    @Test("renders at 80x24 and wide", arguments: [(80, 24), (140, 40)])
    func view(size: (Int, Int)) {
        Self.screen("streams", size.0, size.1, keys: [.char("7")])
    }

    @Test("the rebuild dialog previews what it will do")
    func rebuildDialog() {
        Self.screen("streams-rebuild", 80, 24, keys: [.char("7"), .char("b")] + Fixture.type("bal"))
    }

    @Test("read-only: no rebuild or replay keys")
    func readOnlyScreen() {
        Self.screen("streams-read-only", 80, 24, readOnly: true, keys: [.char("7")])
    }

    @Test("7 and :streams open the view; projections come first, then persistent, then catch-up")
    func navigation() {
        var state = StreamsFixture.state()
        Fixture.press(&state, [.char("7")])
        #expect(state.current.id == .streams)
        #expect(state.stack.map(\.id) == [.overview, .streams])
        #expect(state.selectedReader()?.name == "balances")
        Fixture.press(&state, [.char("1"), .char(":")] + Fixture.type("streams") + [.enter])
        #expect(state.current.id == .streams)
        let names = state.readerRows(state.current).map { state.snapshot.events!.readers[$0].name }
        #expect(names == ["balances", "order-totals", "fraud-review", "search-indexer"])
        Fixture.press(&state, [.char("/")] + Fixture.type("fraud") + [.enter])
        #expect(state.readerRows(state.current).count == 1)
    }

    @Test("rebuild: only the typed name confirms, and then exactly one effect")
    func rebuildFlow() {
        var state = StreamsFixture.state()
        #expect(Fixture.press(&state, [.char("7"), .char("b")]).isEmpty)
        guard case .rebuildProjection(let d)? = state.modal else { Issue.record("no dialog"); return }
        #expect(d.projection == "balances" && d.head == 1_640 && d.processed == 700)
        #expect(Fixture.press(&state, Fixture.type("balance") + [.enter]).isEmpty)
        guard case .rebuildProjection(let again)? = state.modal else { Issue.record("dialog closed"); return }
        #expect(again.error != nil)
        let effects = Fixture.press(&state, [.char("s"), .enter])
        #expect(effects == [.rebuildProjection(name: "balances")])
        #expect(effects.allSatisfy { $0.isDangerous })
        #expect(state.modal == nil)
        // Esc cancels without an effect.
        #expect(Fixture.press(&state, [.char("b"), .escape]).isEmpty)
        #expect(state.modal == nil)
    }

    @Test("rebuild needs a projection this source runs")
    func rebuildRefused() {
        var state = StreamsFixture.state()
        Fixture.press(&state, [.char("7"), .down])   // order-totals: not rebuildable here
        #expect(Fixture.press(&state, [.char("b")]).isEmpty)
        #expect(state.modal == nil)
        #expect(state.status?.isError == true)
        Fixture.press(&state, [.down])               // fraud-review: not a projection
        #expect(Fixture.press(&state, [.char("b")]).isEmpty)
        #expect(state.modal == nil)
    }

    @Test("replay parked: y confirms, anything else keeps them parked")
    func replayFlow() {
        var state = StreamsFixture.state()
        Fixture.press(&state, [.char("7"), .char("j"), .char("j")])
        #expect(state.selectedReader()?.name == "fraud-review")
        #expect(Fixture.press(&state, [.char("r"), .char("n")]).isEmpty)
        #expect(state.modal == nil)
        #expect(Fixture.press(&state, [.char("r")]).isEmpty)
        guard case .replayParked(let d)? = state.modal else { Issue.record("no dialog"); return }
        #expect(d.parked == 7)
        #expect(Fixture.press(&state, [.char("y")]) == [.replayParked(group: "fraud-review", source: "$all")])
        // On a projection, r explains instead of opening anything.
        Fixture.press(&state, [.char("g")])
        #expect(Fixture.press(&state, [.char("r")]).isEmpty)
        #expect(state.modal == nil)
    }

    @Test("read-only and missing capabilities: no dialog, no effect, no dangerous hint")
    func readOnly() {
        for var state in [StreamsFixture.state(readOnly: true), { var s = StreamsFixture.state(); s.capabilities = [.browseRecords]; return s }()] {
            Fixture.press(&state, [.char("7")])
            #expect(Fixture.press(&state, [.char("b")]).isEmpty)
            #expect(state.modal == nil)
            Fixture.press(&state, [.char("j"), .char("j")])
            #expect(Fixture.press(&state, [.char("r")]).isEmpty)
            #expect(state.modal == nil)
            #expect(!state.footerHints().contains { $0.dangerous })
            #expect(!state.helpSections().flatMap(\.1).contains { $0.dangerous })
        }
    }

    @Test("append rates per category from successive snapshots")
    func rates() {
        let state = StreamsFixture.state()
        #expect(state.eventRates.rate(category: "account") == 25)
        #expect(state.eventRates.rate(category: "order") == 5)
        #expect(state.eventRates.rate() == 30)
        #expect(state.eventRates.rate(category: "missing") == 0)
        var fresh = EventRates()
        fresh.ingest(ClusterSnapshot(timeMs: 1, source: "x"))
        #expect(fresh.rate() == 0)
    }

    @Test("a faulted selection shows its error even when the REBUILD column does not fit")
    func faultedSelection() {
        var state = StreamsFixture.state()
        Fixture.press(&state, [.char("7"), .down])
        #expect(state.selectedReader()?.name == "order-totals")
        let lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(lines[22].contains("order-totals faulted: no such table: totals"), "\(lines[22])")
        Fixture.press(&state, [.up])
        #expect(!Dashboard.render(state, width: 80, height: 24).lines.contains { $0.contains("faulted: no such") })
    }

    @Test("no event store: the view says so")
    func noStore() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("7")])
        let canvas = Dashboard.render(state, width: 80, height: 24)
        #expect(canvas.lines.contains { $0.contains("no event store on this source") })
    }

    @Test("tiny terminals: the view and its dialogs keep every row the screen width")
    func tiny() {
        for keys: [Key] in [[.char("7")], [.char("7"), .char("b")], [.char("7"), .char("j"), .char("j"), .char("r")]] {
            for (w, h) in [(0, 0), (1, 1), (2, 2), (10, 3), (20, 5), (40, 8)] {
                var state = StreamsFixture.state(width: w, height: h)
                Fixture.press(&state, keys)
                let canvas = Dashboard.render(state, width: w, height: h)
                #expect(canvas.cells.count == w * h)
                for y in 0..<h { #expect(DisplayWidth.of(canvas.line(y)) == w) }
            }
        }
    }
}
