/// The create-topic and delete-topic dialogs of the Topics view.
enum TopicDialogViews {
    static func renderCreate(_ d: CreateTopicDialog, into canvas: inout Canvas, rect: Rect) {
        let inner = ModalDialog.render(into: &canvas, in: rect, width: 60, height: 9, title: "New topic", dangerous: true)
        guard !inner.isEmpty else { return }
        canvas.write("Name (letters, digits, . _ -):", x: inner.x, y: inner.y, maxWidth: inner.width, role: .dialog)
        switch d.step {
        case .name:
            d.name.render(into: &canvas, rect: inner.row(1))
        case .partitions:
            canvas.write(d.name.text, x: inner.x, y: inner.y + 1, maxWidth: inner.width, role: .dialog)
            canvas.write("Partitions:", x: inner.x, y: inner.y + 3, maxWidth: inner.width, role: .dialog)
            d.partitions.render(into: &canvas, rect: inner.row(4))
        }
        if let e = d.error { canvas.write(e, x: inner.x, y: inner.y + 5, maxWidth: inner.width, role: .messageError) }
        canvas.write("⏎ next · Esc cancels", x: inner.x, y: inner.maxY - 1, maxWidth: inner.width, role: .dim)
    }

    static func renderDelete(_ d: DeleteTopicDialog, into canvas: inout Canvas, rect: Rect) {
        let inner = ModalDialog.render(into: &canvas, in: rect, width: 64, height: 9, title: "Delete \(d.topic)", dangerous: true)
        guard !inner.isEmpty else { return }
        var lines: [(String, StyleRole)] = [
            ("\(d.partitions) partition(s) and \(Format.count(d.records)) records (\(d.records)) go for good.", .dangerous),
        ]
        lines.append(d.readers.isEmpty ? ("No group has read it.", .dialog)
                                       : ("Read by: " + d.readers.joined(separator: ", "), .warning))
        lines.append(("Type the topic's name to delete it:", .dialog))
        ModalDialog.lines(lines, into: &canvas, rect: inner)
        d.confirmation.render(into: &canvas, rect: inner.row(3))
        if let e = d.error { canvas.write(e, x: inner.x, y: inner.y + 5, maxWidth: inner.width, role: .messageError) }
    }
}
