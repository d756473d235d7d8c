import ArgumentParser
import Foundation
import WharfAuth
import WharfCore

/// `wharf acl add|remove|list`: the ACLs a listener started with `--authorize` enforces, in a
/// data directory (`acls.json`, 0600; a running `wharf serve` rereads it at its next request) or
/// over `--bootstrap` with CreateAcls, DeleteAcls and DescribeAcls (any Kafka-protocol cluster
/// with an authorizer).
struct AclCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "acl",
        abstract: "Manage the ACLs of the Kafka listener (enforced with 'wharf serve --authorize').",
        subcommands: [Add.self, Remove.self, List.self])

    /// The ACL that `add` creates and `remove` deletes.
    struct AclOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Who: User:NAME, or User:* for everyone.", valueName: "User:NAME")) var principal: String
        @Option(help: ArgumentHelp("READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, CLUSTER_ACTION or ALL.",
                                   valueName: "op"))
        var operation: String
        @Option(help: ArgumentHelp("The topic (* for every topic).", valueName: "name")) var topic: String?
        @Option(help: ArgumentHelp("The consumer group (* for every group).", valueName: "name")) var group: String?
        @Option(name: .customLong("transactional-id"), help: ArgumentHelp("The transactional id.", valueName: "id")) var transactionalId: String?
        @Flag(help: "The cluster itself (topic creation, idempotent producers, ACL and user administration).") var cluster = false
        @Flag(help: "Match every resource whose name starts with the given name.") var prefixed = false
        @Flag(help: "Deny instead of allow (a DENY wins over every ALLOW).") var deny = false
        @Option(help: ArgumentHelp("The client IP address it applies to (default: every host).", valueName: "ip")) var host = AclBinding.wildcard

        func validate() throws { _ = try binding() }

        func binding() throws -> AclBinding {
            let named: [(AclResourceType, String)] = [(.topic, topic), (.group, group), (.transactionalId, transactionalId)]
                .compactMap { type, name in name.map { (type, $0) } } + (cluster ? [(.cluster, AclBinding.clusterName)] : [])
            guard named.count == 1, let (type, name) = named.first else {
                throw ValidationError("name exactly one resource: --topic T, --group G, --transactional-id ID or --cluster")
            }
            guard let operation = AclOperation(name: operation) else {
                throw ValidationError("unknown operation '\(Output.safe(operation))': use \(AclOperation.allCases.map(\.name).joined(separator: ", "))")
            }
            if prefixed, type == .cluster { throw ValidationError("--prefixed needs --topic, --group or --transactional-id") }
            do {
                return try AclBinding(resourceType: type, resourceName: name, patternType: prefixed ? .prefixed : .literal, principal: principal,
                                      host: host, operation: operation, permission: deny ? .deny : .allow).validated()
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Allow (or with --deny, refuse) an operation on a resource to a principal.",
            discussion: "wharf acl add --principal User:alice --operation READ --topic orders")
        @OptionGroup var data: DataOptions
        @OptionGroup var cluster: BootstrapOption
        @OptionGroup var acl: AclOptions

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let binding = try acl.binding()
            let added = try await cluster.location(data).withAclAdmin(createDirectory: true) { try await $0.addAcl(binding) }
            print("\(added ? "added" : "already present"): \(Output.safe(binding.description))")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one ACL (the same options as 'wharf acl add').")
        @OptionGroup var data: DataOptions
        @OptionGroup var cluster: BootstrapOption
        @OptionGroup var acl: AclOptions

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let binding = try acl.binding()
            let removed = try await cluster.location(data).withAclAdmin(createDirectory: false) { try await $0.removeAcl(binding) }
            guard removed else { throw WharfError.invalidArgument("no such ACL: \(Output.safe(binding.description))") }
            print("removed: \(Output.safe(binding.description))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the ACLs.")
        @OptionGroup var data: DataOptions
        @OptionGroup var cluster: BootstrapOption
        @OptionGroup var output: JSONOption

        func validate() throws { try cluster.validate(with: data) }

        func run() async throws {
            let entries = try await cluster.location(data).withAclAdmin(createDirectory: false) { try await $0.acls() }.sorted()
            if output.json { return try Output.json(entries) }
            guard !entries.isEmpty else { return print("no ACLs (add one with 'wharf acl add --principal User:NAME --operation READ --topic T')") }
            Output.table(["RESOURCE", "PATTERN", "NAME", "PRINCIPAL", "HOST", "OPERATION", "PERMISSION"], entries.map {
                [$0.resourceType.name, $0.patternType.name, Output.safe($0.resourceName), Output.safe($0.principal), Output.safe($0.host),
                 $0.operation.name, $0.permission.name]
            })
        }
    }
}
