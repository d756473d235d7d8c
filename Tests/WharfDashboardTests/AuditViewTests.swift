import Testing
import WharfCore
@testable import WharfDashboard

/// `:audit`: the audit log listed newest first, and undo of a recorded reset from it.
@Suite("The audit view lists changes and undoes a recorded reset")
struct AuditViewTests {
    static let capabilities = SourceCapabilities.all.union(.audit)

    static func entries() -> [AuditEntry] {
        let cli = AuditActor(kind: .process, user: "ops", process: "wharf group", pid: 4242)
        let wire = AuditActor.client(address: "10.0.0.5:51234", principal: "User:alice")
        return [
            AuditEntry(id: "1764158400000-a1", timeMs: Fixture.start, actor: wire, action: AuditAction.topicCreate,
                       target: "topic:orders", after: ["partitions": "3"]),
            AuditEntry(id: "1764158401000-b2", timeMs: Fixture.start + 1000, actor: cli, action: AuditAction.groupResetOffsets,
                       target: "group:analytics", before: ["orders/0": "16920", "orders/1": AuditEntry.noOffset],
                       after: ["orders/0": "0", "orders/1": "0"]),
            AuditEntry(id: "1764158402000-c3", timeMs: Fixture.start + 2000, actor: wire, action: AuditAction.topicDelete,
                       target: "topic:gone", result: "unknown topic gone"),
        ]
    }

    static func opened(readOnly: Bool = false, width: Int = 120, height: Int = 40) -> DashboardState {
        var state = Fixture.state(width: width, height: height, readOnly: readOnly)
        state.capabilities = capabilities
        let effects = Fixture.press(&state, [.char(":")] + Fixture.type("audit") + [.enter])
        #expect(effects == [.loadAudit])
        #expect(state.current.id == .audit)
        _ = state.update(.auditLoaded(entries(), message: nil))
        return state
    }

    @Test("newest first, with actor, action, target, before→after and result")
    func listing() {
        let state = Self.opened()
        let lines = Dashboard.render(state, width: 120, height: 40).lines
        let rows = lines.indices.filter { lines[$0].contains("topic.") || lines[$0].contains("group.") }
        #expect(rows.count == 3)
        #expect(lines[rows[0]].contains("topic.delete") && lines[rows[0]].contains("unknown topic gone"))
        #expect(lines[rows[1]].contains("ops (wharf group, pid 4242)") && lines[rows[1]].contains("orders/0 16920→0"))
        #expect(lines[rows[2]].contains("User:alice@10.0.0.5:51234"))
        RenderSnapshotTests.screen("audit", 120, 40) { $0 = state }
        RenderSnapshotTests.screen("audit", 80, 24) { s in
            s = Self.opened(width: 80, height: 24)
        }
    }

    @Test("u on a reset asks, y undoes exactly that entry; other entries and read-only refuse")
    func undo() {
        var state = Self.opened()
        Fixture.press(&state, [.char("u")])                 // the newest: a failed topic delete
        #expect(state.modal == nil && state.status?.isError == true)
        Fixture.press(&state, [.down, .char("u")])
        guard case .confirmAuditUndo(let entry)? = state.modal else { Issue.record("no confirmation"); return }
        #expect(entry.id == "1764158401000-b2")
        let lines = Dashboard.render(state, width: 120, height: 40).lines
        #expect(lines.contains { $0.contains("orders/0 → 16920") })
        #expect(!lines.contains { $0.contains("orders/1 → ") })  // no offset before: nothing to put back
        #expect(Fixture.press(&state, [.char("y")]) == [.undoAuditEntry(id: "1764158401000-b2")])
        // The driver answers with the log read again and the outcome.
        _ = state.update(.auditLoaded(Self.entries(), message: "undid audit entry 1764158401000-b2 (1 partition(s) restored)"))
        #expect(state.status?.text.contains("undid audit entry") == true)
        #expect(Fixture.press(&state, [.char("u"), .char("n")]).isEmpty)

        var readOnly = Self.opened(readOnly: true)
        Fixture.press(&readOnly, [.down])
        #expect(Fixture.press(&readOnly, [.char("u")]).isEmpty && readOnly.modal == nil)
        #expect(!readOnly.footerHints().contains { $0.key == "u" })
    }

    @Test("r reads the log again; a source without an audit log says so")
    func reloadAndMissing() {
        var state = Self.opened()
        #expect(Fixture.press(&state, [.char("r")]) == [.loadAudit])
        var cluster = Fixture.state()
        #expect(Fixture.press(&cluster, [.char(":")] + Fixture.type("audit") + [.enter]).isEmpty)
        #expect(cluster.current.id == .overview && cluster.status?.isError == true)
    }
}
