import ArgumentParser
import Foundation
import WharfAuth
import WharfCore

/// `wharf user add|list|delete`: the SASL users of a data directory's Kafka listener. The store
/// (`sasl-users.json`, 0600) keeps salted SCRAM credentials, never a password; a running
/// `wharf serve` reads it at each authentication, so changes apply at the next login.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the SASL users of the Kafka listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).",
        subcommands: [Add.self, List.self, Delete.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user, or set its password for one mechanism.",
            discussion: """
                The password is read from standard input (one trailing newline is dropped), so it \
                never appears in the process list or the shell history: \
                printf %s "$PASSWORD" | wharf user add alice --mechanism SCRAM-SHA-512 --password-stdin
                """)
        @OptionGroup var data: DataOptions
        @Argument(help: "The user name (the client's sasl.username).") var name: String
        @Option(help: ArgumentHelp("SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN.", valueName: "mechanism")) var mechanism: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordStdin = false
        @Option(help: ArgumentHelp("SCRAM iterations (4096 to 16384).", valueName: "n"))
        var iterations = ScramCredential.defaultIterations

        func validate() throws {
            guard passwordStdin else {
                throw ValidationError("give the password on standard input with --password-stdin (never on the command line)")
            }
            _ = try UserCommand.mechanism(mechanism)
            guard ScramCredential.iterationRange.contains(iterations) else {
                throw ValidationError("--iterations must be between 4096 and 16384")
            }
            do { try UserDatabase.validate(userName: name) } catch { throw ValidationError(error.description) }
        }

        func run() async throws {
            let mechanism = try UserCommand.mechanism(mechanism)
            var password = Array(FileHandle.standardInput.readDataToEndOfFile())
            if password.last == UInt8(ascii: "\n") { password.removeLast() }
            if password.last == UInt8(ascii: "\r") { password.removeLast() }
            guard !password.isEmpty else { throw ValidationError("the password on standard input is empty") }
            let store = try UserCommand.store(data, create: true)
            let credential = ScramCredential(password: password, hash: mechanism.hash, iterations: iterations)
            let replaced = try store.setCredential(credential, user: name, mechanism: mechanism)
            print(replaced ? "changed the \(mechanism.rawValue) password of \(name)" : "added \(name) (\(mechanism.rawValue))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users and their mechanisms (never a password).")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption

        func run() async throws {
            let database = try UserCommand.store(data, create: false).load()
            let entries = database.listing
            if output.json { return try Output.json(entries) }
            guard !entries.isEmpty else { return print("no users (add one with 'wharf user add NAME --mechanism SCRAM-SHA-512 --password-stdin')") }
            Output.table(["USER", "MECHANISMS"], entries.map { entry in
                [Output.safe(entry.name), entry.mechanisms.map { "\($0.mechanism) (\($0.iterations) iterations)" }.joined(separator: ", ")]
            })
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user, or only its credential for one mechanism.")
        @OptionGroup var data: DataOptions
        @Argument(help: "The user name.") var name: String
        @Option(help: ArgumentHelp("Delete only this mechanism's credential.", valueName: "mechanism")) var mechanism: String?

        func run() async throws {
            let store = try UserCommand.store(data, create: false)
            let mechanism = try self.mechanism.map(UserCommand.mechanism)
            let outcome = try store.deleteUser(name, mechanism: mechanism)
            switch outcome {
            case .noUser: throw ValidationError("no user \(Output.safe(name))")
            case .noCredential: throw ValidationError("\(Output.safe(name)) has no \(mechanism?.rawValue ?? "") credential")
            case .deletedCredential: print("deleted the \(mechanism?.rawValue ?? "") credential of \(Output.safe(name))")
            case .deletedUser: print("deleted \(Output.safe(name))")
            }
        }
    }

    static func mechanism(_ name: String) throws -> SaslMechanism {
        guard let mechanism = SaslMechanism(rawValue: name.uppercased()) else {
            throw ValidationError("unknown mechanism '\(Output.safe(name))': use SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN")
        }
        return mechanism
    }

    /// The data directory's store; `create` makes the directory (owner-only) when it is missing.
    static func store(_ data: DataOptions, create: Bool) throws -> UserStore {
        if create { try OwnerOnly.createDirectoryIfMissing(data.directory) }
        return UserStore(dataDirectory: data.directory)
    }
}
