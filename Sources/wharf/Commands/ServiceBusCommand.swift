import ArgumentParser
import Foundation
import WharfAMQPServer
import WharfCore

/// `wharf servicebus key add|list` and `wharf servicebus connection-string`: the shared access
/// keys Azure Service Bus clients sign their tokens with (`<data>/servicebus-keys.json`, 0600).
/// A running `wharf serve` reads the file at each put-token, so a new key works at once.
struct ServiceBusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "servicebus",
        abstract: "Azure Service Bus: keys, connection string, topics, subscriptions and rules.",
        subcommands: [Key.self, ConnectionString.self, Topic.self, Subscription.self, Rule.self, Import.self])

    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Manage shared access keys.", subcommands: [Add.self, List.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a key with a random value and print it.")
            @OptionGroup var data: DataOptions
            @Argument(help: "The key name (a connection string's SharedAccessKeyName).") var name: String
            @Option(name: .customLong("rights"), help: ArgumentHelp("What the key may do: Manage (everything), Send, Listen.", valueName: "Listen,Send,Manage"))
            var rights = "Manage,Send,Listen"

            func validate() throws {
                guard !name.isEmpty, name.count <= 256, name.allSatisfy({ $0.isLetter || $0.isNumber || "-._".contains($0) }) else {
                    throw ValidationError("a key name has 1-256 letters, digits, '-', '.' or '_'")
                }
                guard ServiceBusRight.parseList(rights) != nil else { throw ValidationError("--rights takes a list of Manage, Send and Listen, got '\(rights)'") }
            }

            func run() async throws {
                guard let key = try ServiceBusKeys(dataDirectory: data.directory).addKey(name, rights: ServiceBusRight.parseList(rights) ?? [])
                else { throw ValidationError("key '\(name)' already exists") }
                print(key)
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List key names (not their values).")
            @OptionGroup var data: DataOptions

            func run() async throws {
                for name in try ServiceBusKeys(dataDirectory: data.directory).loadOrCreateDefault().keys.sorted() { print(name) }
            }
        }
    }

    struct ConnectionString: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "connection-string",
            abstract: "Print the connection string an SDK uses (creating the default key on first use).")
        @OptionGroup var data: DataOptions
        @Option(name: .customLong("amqp-listen"), help: ArgumentHelp("The listener's address.", valueName: "host:port"))
        var listen = AMQPListenerOptions.defaultListen
        @Option(name: .customLong("amqps-listen"),
                help: ArgumentHelp("The TLS listener's address instead: the string without UseDevelopmentEmulator, with which the SDKs speak TLS.",
                                   valueName: "host:port"))
        var tlsListen: String?
        @Option(name: .customLong("key-name"), help: "Which key signs (default RootManageSharedAccessKey).")
        var keyName = ServiceBusKeys.defaultKeyName

        func run() async throws {
            let flag = tlsListen == nil ? "--amqp-listen" : "--amqps-listen"
            guard let address = AMQPListenAddress(parsing: tlsListen ?? listen) else { throw ValidationError("\(flag) must be host:port") }
            let keys = try ServiceBusKeys(dataDirectory: data.directory).loadOrCreateDefault()
            guard let key = keys[keyName] else { throw ValidationError("no key named '\(keyName)' (wharf servicebus key list)") }
            print(tlsListen == nil ? ServiceBusKeys.connectionString(host: address.host, port: address.port, keyName: keyName, key: key)
                    : ServiceBusKeys.tlsConnectionString(host: address.host, port: address.port, keyName: keyName, key: key))
        }
    }
}
