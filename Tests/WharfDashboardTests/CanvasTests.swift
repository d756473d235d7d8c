import Testing
@testable import WharfDashboard

@Suite("Canvas, display width and widgets")
struct CanvasTests {
    @Test("display width: ASCII 1, CJK and emoji 2, combining marks 0")
    func widths() {
        #expect(DisplayWidth.of("orders") == 6)
        #expect(DisplayWidth.of("注文イベント") == 12)
        #expect(DisplayWidth.of("e\u{301}") == 1)
        #expect(DisplayWidth.of("🚀") == 2)
        #expect(DisplayWidth.of("✓→") == 2)
        #expect(DisplayWidth.of("ＡＢ") == 4)
        #expect(DisplayWidth.of(Unicode.Scalar(0x0301)!) == 0)
        #expect(DisplayWidth.truncate("注文イベント", to: 5) == "注文…")
        #expect(DisplayWidth.fit("注文", to: 6, alignRight: true) == "  注文")
    }

    @Test("wide glyphs take two cells; overwriting half blanks the other half")
    func wideCells() {
        var c = Canvas(width: 6, height: 1)
        c.write("a注b", x: 0, y: 0, role: .base)
        #expect(c[1, 0].width == 2 && c[2, 0].isContinuation)
        #expect(c.line(0) == "a注b  ")
        c.put("x", x: 2, y: 0, role: .title)   // right half of 注
        #expect(c.line(0) == "a xb  ")
        #expect(DisplayWidth.of(c.line(0)) == 6)
        c.write("注", x: 5, y: 0, role: .base)  // does not fit in the last column
        #expect(c.line(0) == "a xb  ")
        c.write("語", x: 3, y: 0, role: .base)
        #expect(c.line(0) == "a x語 ")
        c.put("y", x: 3, y: 0, role: .base)   // left half
        #expect(c.line(0) == "a xy  ")
    }

    @Test("writes clip at the canvas and maxWidth; control characters are replaced")
    func clipping() {
        var c = Canvas(width: 5, height: 2)
        #expect(c.write("abcdefgh", x: 2, y: 0, role: .base) == 3)
        #expect(c.write("abc", x: -1, y: 1, role: .base) == 2)
        c.write("a\tb", x: 0, y: 1, maxWidth: 3, role: .base)
        #expect(c.lines == ["  abc", "a?b  "])
        c.writeFitted("toolong", x: 0, y: 0, width: 4, role: .base)
        #expect(c.line(0) == "too…c")
        #expect(c.write("x", x: 0, y: 5, role: .base) == 0)
    }

    @Test("role runs in the snapshot text")
    func runs() {
        var c = Canvas(width: 4, height: 1)
        c.write("ab", x: 1, y: 0, role: .title)
        #expect(c.snapshotText() == "size 4x1\n| ab |\nroles\n0: base@0-0 title@1-2 base@3-3\n")
    }

    @Test("every widget survives 0x0 and 1x1 areas")
    func tinyWidgets() {
        for (w, h) in [(0, 0), (1, 1), (1, 0), (0, 1), (2, 2)] {
            var c = Canvas(width: w, height: h)
            let r = c.bounds
            TableWidget(columns: TopicsView.columns, rowCount: 3, selected: 1).render(into: &c, rect: r) { _ in [TableCell("x")] }
            Sparkline.render([1, 2, 3], into: &c, rect: r)
            HeaderBar.render(into: &c, rect: r, segments: [HeaderBar.Segment("Wharf")], right: "12:00:00")
            FooterHints.render(into: &c, rect: r, hints: [KeyHint("q", "quit")])
            _ = Breadcrumbs.render(into: &c, rect: r, path: ["Overview", "Topics"])
            _ = ModalDialog.render(into: &c, in: r, width: 40, height: 10, title: "t", dangerous: true)
            TextInput("hello").render(into: &c, rect: r, prompt: ":")
            HelpOverlay.render(into: &c, in: r, sections: [("x", [KeyHint("a", "b")])])
            CommandPaletteView.render(into: &c, in: r, input: TextInput("to"), candidates: ["topics"], selected: 0)
            c.box(r, role: .border)
            c.fill(r, role: .base)
            #expect(c.width == w)
            // A rect outside the canvas draws nothing and does not crash.
            TableWidget(columns: TopicsView.columns, rowCount: 3).render(into: &c, rect: Rect(x: 5, y: 5, width: 10, height: 4)) { _ in [] }
        }
    }

    @Test("whole screens survive tiny terminals in every view and dialog")
    func tinyScreens() {
        let setups: [[Key]] = [[], [.char("2")], [.char("2"), .enter], [.char("3")], [.char("3"), .enter], [.char("?")],
                               [.char(":")], [.char("3"), .char("r")], [.char("2"), .char("x"), .enter], [.char("2"), .char("/")],
                               [.char("2"), .enter, .enter]]
        for keys in setups {
            for (w, h) in [(0, 0), (1, 1), (2, 2), (10, 3), (20, 5), (40, 8)] {
                var state = Fixture.state(width: w, height: h)
                Fixture.press(&state, keys)
                let canvas = Dashboard.render(state, width: w, height: h)
                #expect(canvas.cells.count == w * h)
                for y in 0..<h { #expect(DisplayWidth.of(canvas.line(y)) == w) }
            }
        }
    }

    @Test("table layout drops low-priority columns when narrow and gives spare width to flex columns")
    func tableLayout() {
        let t = TableWidget(columns: TopicsView.columns, rowCount: 0)
        let wide = t.layout(totalWidth: 120)
        #expect(wide.allSatisfy { $0 > 0 })
        #expect(wide.reduce(0, +) + wide.count - 1 == 120)
        let narrow = t.layout(totalWidth: 40)
        #expect(narrow[0] > 0 && narrow[2] > 0 && narrow[4] > 0)
        #expect(narrow[6] == 0)
        #expect(TableWidget.clampScroll(0, selected: 30, rowCount: 100, visibleRows: 10) == 21)
        #expect(TableWidget.clampScroll(25, selected: 22, rowCount: 100, visibleRows: 10) == 22)
    }

    @Test("records: pretty JSON, hex and text decoding")
    func recordFormats() {
        let json = RecordFormatter.prettyJSON(Array(#"{"a":1,"b":["x",true]}"#.utf8))!
        let lines = json.map { $0.map(\.0).joined() }
        #expect(lines == ["{", "  \"a\": 1,", "  \"b\": [", "    \"x\",", "    true", "  ]", "}"])
        #expect(json[1].contains { $0.0 == "\"a\"" && $0.1 == .jsonKey })
        #expect(RecordFormatter.prettyJSON(Array("plain".utf8)) == nil)
        let hex = RecordFormatter.hex(Array("AB\u{1}".utf8), width: 80)
        #expect(hex.count == 1 && hex[0].0 == "000000" && hex[0].1.hasPrefix("41 42 01 ") && hex[0].2 == "AB.")
        #expect(RecordFormatter.text([0x61, 0x0A, 0x62]) == "a·b")
        #expect(RecordFormatter.text(nil) == "null")
    }

    @Test("formatting is locale-free")
    func formatting() {
        #expect(Format.count(999) == "999")
        #expect(Format.count(1234) == "1.2k")
        #expect(Format.count(123_456_789) == "123M")
        #expect(Format.bytes(1536) == "1.5 KiB")
        #expect(Format.duration(ms: 192_000) == "3m12s")
        #expect(Format.duration(ms: 90_000_000) == "1d01h")
        #expect(Format.timestamp(ms: 1_764_158_400_123) == "2025-11-26 12:00:00.123")
        #expect(CivilDate.parse("2025-11-26T12:00:00Z") == 1_764_158_400_000)
        #expect(CivilDate.parse("2025-13-01") == nil)
        #expect(DashboardState.parseDuration("1h30m") == 5_400_000)
        #expect(DashboardState.parseDuration("250ms") == 250)
        #expect(DashboardState.parseDuration("5x") == nil)
    }

    @Test("render benchmark runs and reports a time per frame")
    func benchmark() {
        let ms = RenderBenchmark.run(topics: 40, partitionsPerTopic: 4, groups: 10, width: 120, height: 40, frames: 4)
        #expect(ms > 0)
    }
}

@Suite("Frame diff")
struct CanvasDiffTests {
    @Test("identical frames draw nothing; a first frame draws every glyph once")
    func basics() {
        var a = Canvas(width: 4, height: 2)
        a.write("a注", x: 0, y: 0, role: .base)
        #expect(a.changedPositions(from: a).isEmpty)
        let all = a.changedPositions(from: nil)
        #expect(all.count == 7)   // 8 cells, one is the continuation of 注
        #expect(!all.contains { $0.x == 2 && $0.y == 0 })
        #expect(a.changedPositions(from: Canvas(width: 3, height: 2)).count == 7)
    }

    @Test("changed cells only, with the lead cell of a wide glyph")
    func changes() {
        var a = Canvas(width: 6, height: 1)
        a.write("ab注", x: 0, y: 0, role: .base)
        var b = a
        b.put("x", x: 1, y: 0, role: .base)
        #expect(b.changedPositions(from: a).map(\.x) == [1])
        var c = a
        c.write("語", x: 2, y: 0, role: .base)        // same width, other glyph
        #expect(c.changedPositions(from: a).map(\.x) == [2])
        var d = a
        d.restyle(Rect(x: 3, y: 0, width: 1, height: 1), role: .title)   // only the right half's role
        #expect(d.changedPositions(from: a).map(\.x) == [2])
        var e = a
        e.put("y", x: 3, y: 0, role: .base)           // overwrite the right half: 注 becomes blank + y
        #expect(e.changedPositions(from: a).map(\.x) == [2, 3])
    }
}

@Suite("Synthetic driver")
struct SyntheticDriverTests {
    @Test("answers every effect the dashboard produces")
    func roundTrip() async {
        let driver = SyntheticDriver(cluster: SyntheticCluster(demoAt: Fixture.start), clock: { Fixture.start + 5000 })
        let snap = await driver.snapshot()
        #expect(snap.topics.count == 4 && snap.groups.count == 4)
        guard case .resetPreviewed(let g, let rows)? = await driver.perform(
            .previewReset(group: "billing", topic: "orders", partitions: [], spec: .earliest)) else { Issue.record("no preview"); return }
        #expect(g == "billing" && rows.count == 3 && rows.allSatisfy { $0.new == 0 })
        guard case .operationSucceeded? = await driver.perform(.executeReset(group: "billing", plan: rows)) else { Issue.record("no reset"); return }
        let after = await driver.snapshot()
        #expect(after.group(named: "billing")!.partitions.allSatisfy { $0.committed == 0 })
        guard case .operationSucceeded? = await driver.perform(.undoLastReset) else { Issue.record("no undo"); return }
        let undone = await driver.snapshot()
        #expect(undone.group(named: "billing")!.partitions.map(\.committed) == rows.map(\.current))
        guard case .recordsLoaded(let records)? = await driver.perform(.loadRecords(topic: "orders", partition: 0, from: .offset(100), max: 5))
        else { Issue.record("no records"); return }
        #expect(records.map(\.offset) == [100, 101, 102, 103, 104])
        _ = await driver.perform(.purge(topic: "orders", partition: 0, beforeOffset: 1000))
        #expect(await driver.snapshot().topic(named: "orders")!.partitions[0].logStart == 1000)
    }
}
