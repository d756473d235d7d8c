/// Create a topic: its name, then its partition count.
public struct CreateTopicDialog: Equatable, Sendable {
    public enum Step: Equatable, Sendable { case name, partitions }
    public static let defaultPartitions = "3"

    public var step: Step = .name
    public var name = TextInput()
    public var partitions = TextInput(CreateTopicDialog.defaultPartitions)
    public var error: String?
}

/// Delete a topic: says what goes (records, groups that read it) and asks for its name typed.
public struct DeleteTopicDialog: Equatable, Sendable {
    public var topic: String
    public var records: Int64
    public var partitions: Int
    /// Groups with commits on the topic: their offsets for it go too.
    public var readers: [String]
    public var confirmation = TextInput()
    public var error: String?
}

extension DashboardState {
    public var canManageTopics: Bool { !readOnly && capabilities.contains(.manageTopics) }

    mutating func openCreateTopic() -> [Effect] {
        guard canManageTopics else { return refuse("create topics") }
        modal = .createTopic(CreateTopicDialog())
        return []
    }

    mutating func openDeleteTopic(_ topic: TopicSnapshot) -> [Effect] {
        guard canManageTopics else { return refuse("delete topics") }
        guard !topic.isInternal else {
            show("\(topic.name) is internal: it cannot be deleted", error: true)
            return []
        }
        let readers = snapshot.groups.filter { $0.partitions.contains { $0.topic == topic.name } }.map(\.name).sorted()
        modal = .deleteTopic(DeleteTopicDialog(topic: topic.name, records: topic.recordCount, partitions: topic.partitions.count, readers: readers))
        return []
    }

    mutating func handleCreateTopicKey(_ d: CreateTopicDialog, _ key: Key) -> [Effect] {
        var dialog = d
        if key == .escape { modal = nil; return [] }
        switch dialog.step {
        case .name:
            if key == .enter {
                let name = dialog.name.text.trimmingWhitespace()
                if let problem = Self.topicNameProblem(name) {
                    dialog.error = problem
                } else if snapshot.topic(named: name) != nil {
                    dialog.error = "\(name) already exists"
                } else {
                    dialog.error = nil
                    dialog.step = .partitions
                }
            } else {
                _ = dialog.name.handle(key)
            }
        case .partitions:
            if key == .enter {
                guard let n = Int32(dialog.partitions.text.trimmingWhitespace()), (1...10_000).contains(n) else {
                    dialog.error = "partitions: a number from 1 to 10000"
                    modal = .createTopic(dialog)
                    return []
                }
                modal = nil
                guard canManageTopics else { return [] }
                let name = dialog.name.text.trimmingWhitespace()
                show("creating \(name) with \(n) partition\(n == 1 ? "" : "s")")
                return [.createTopic(name: name, partitions: n)]
            }
            if key == .backspace, dialog.partitions.text.isEmpty {
                dialog.step = .name
            } else {
                _ = dialog.partitions.handle(key)
            }
        }
        modal = .createTopic(dialog)
        return []
    }

    mutating func handleDeleteTopicKey(_ d: DeleteTopicDialog, _ key: Key) -> [Effect] {
        var dialog = d
        if key == .escape { modal = nil; return [] }
        if key == .enter {
            guard dialog.confirmation.text == dialog.topic else {
                dialog.error = "type the topic's name to confirm, Esc to cancel"
                modal = .deleteTopic(dialog)
                return []
            }
            modal = nil
            guard canManageTopics else { return [] }
            show("deleting \(dialog.topic)")
            // Back out of the topic's own views: they are about to be empty.
            while stack.count > 1, case .topicDetail(let t) = current.id, t == dialog.topic { stack.removeLast() }
            return [.deleteTopic(name: dialog.topic)]
        }
        _ = dialog.confirmation.handle(key)
        modal = .deleteTopic(dialog)
        return []
    }

    /// Kafka's rules for a topic name (the source checks again): 1-249 characters of
    /// [a-zA-Z0-9._-], not "." or "..", and "__" is reserved for internal topics.
    static func topicNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "a topic needs a name" }
        if name.count > 249 { return "at most 249 characters" }
        if name == "." || name == ".." { return "\"\(name)\" is not a topic name" }
        if name.hasPrefix("__") { return "names starting with __ are for internal topics" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        if let bad = name.first(where: { !allowed.contains($0) }) { return "'\(bad)' is not allowed: use letters, digits, '.', '_' and '-'" }
        return nil
    }
}
