/// The path of views under the header: "Overview › Groups › payments".
public enum Breadcrumbs {
    public static func render(into canvas: inout Canvas, rect: Rect, path: [String]) -> Int {
        guard !rect.isEmpty else { return 0 }
        let row = rect.row(0)
        var x = rect.x + 1
        for (i, name) in path.enumerated() {
            if i > 0 { x += canvas.write(" › ", x: x, y: row.y, maxWidth: rect.maxX - x, role: .breadcrumb) }
            let last = i == path.count - 1
            x += canvas.write(name, x: x, y: row.y, maxWidth: max(0, rect.maxX - x), role: last ? .breadcrumbActive : .breadcrumb)
        }
        return x - rect.x
    }
}
