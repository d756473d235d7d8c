import Testing
@testable import WharfDashboard

@Suite("Creating and deleting topics from the Topics view")
struct TopicDialogTests {
    @Test("n asks for a name, then partitions, and yields createTopic; bad names stay in the dialog")
    func createFlow() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("2"), .char("n")])
        guard case .createTopic? = state.modal else { Issue.record("no create dialog"); return }
        Fixture.press(&state, Fixture.type("bad name") + [.enter])
        guard case .createTopic(let bad)? = state.modal else { Issue.record("dialog closed"); return }
        #expect(bad.error?.contains("' ' is not allowed") == true)
        Fixture.press(&state, [.ctrl("u")] + Fixture.type("orders") + [.enter])
        guard case .createTopic(let exists)? = state.modal else { Issue.record("dialog closed"); return }
        #expect(exists.error == "orders already exists")
        Fixture.press(&state, [.ctrl("u")] + Fixture.type("__mine") + [.enter])
        guard case .createTopic(let reserved)? = state.modal else { Issue.record("dialog closed"); return }
        #expect(reserved.error?.contains("internal") == true)
        Fixture.press(&state, [.ctrl("u")] + Fixture.type("invoices.v2") + [.enter])
        guard case .createTopic(let d)? = state.modal, d.step == .partitions else { Issue.record("not asking for partitions"); return }
        let zero = Fixture.press(&state, [.ctrl("u")] + Fixture.type("0") + [.enter])
        #expect(zero.isEmpty)
        let effects = Fixture.press(&state, [.ctrl("u")] + Fixture.type("6") + [.enter])
        #expect(effects == [.createTopic(name: "invoices.v2", partitions: 6)])
        #expect(state.modal == nil)
    }

    @Test("D shows what goes and who read it, and deletes only once the name is typed")
    func deleteFlow() {
        var state = Fixture.state()
        Fixture.press(&state, [.char("2"), .char("/")] + Fixture.type("orders") + [.enter, .char("D")])
        guard case .deleteTopic(let d)? = state.modal else { Issue.record("no delete dialog"); return }
        #expect(d.topic == "orders")
        #expect(!d.readers.isEmpty)
        let lines = Dashboard.render(state, width: 80, height: 24).lines
        #expect(lines.contains { $0.contains("go for good") })
        #expect(lines.contains { $0.contains("Read by:") })
        #expect(Fixture.press(&state, Fixture.type("order") + [.enter]).isEmpty)
        let effects = Fixture.press(&state, Fixture.type("s") + [.enter])
        #expect(effects == [.deleteTopic(name: "orders")])
    }

    @Test("read-only and sources without topic management have neither key nor hint")
    func hiddenWhenNotAllowed() {
        var readOnly = Fixture.state(readOnly: true)
        #expect(Fixture.press(&readOnly, [.char("2"), .char("n")]).isEmpty)
        #expect(readOnly.modal == nil)
        Fixture.press(&readOnly, [.char("?")])
        #expect(!Dashboard.render(readOnly, width: 120, height: 40).lines.joined().contains("create a topic"))
        var allowed = Fixture.state()
        Fixture.press(&allowed, [.char("2"), .char("?")])
        #expect(Dashboard.render(allowed, width: 120, height: 40).lines.joined().contains("create a topic"))
        var limited = Fixture.state()
        limited.capabilities.remove(.manageTopics)
        Fixture.press(&limited, [.char("2"), .char("D")])
        #expect(limited.modal == nil)
    }
}
