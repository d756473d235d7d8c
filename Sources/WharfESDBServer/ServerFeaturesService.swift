import GRPCCore
import GRPCNIOTransportHTTP2
import WharfESDBProtocol

/// `ServerFeatures.GetSupportedMethods`: the .NET client asks on every new channel and, without
/// an answer, assumes a legacy server (no BatchAppend, persistent-subscription admin over HTTP).
/// The list is every method served, lower-cased, with the features KurrentDB declares for them.
struct ServerFeaturesService: EventStore_Client_ServerFeatures_ServerFeatures.SimpleServiceProtocol {
    /// The version Wharf claims: the KurrentDB release whose v1 protocol it follows.
    static let serverVersion = "24.10.0"
    let methods: [MethodDescriptor]

    func getSupportedMethods(request: EventStore_Client_Empty, context: ServerContext) async throws -> EventStore_Client_ServerFeatures_SupportedMethods {
        var answer = EventStore_Client_ServerFeatures_SupportedMethods()
        answer.eventStoreServerVersion = Self.serverVersion
        answer.methods = methods.map { descriptor in
            var method = EventStore_Client_ServerFeatures_SupportedMethod()
            method.serviceName = descriptor.service.fullyQualifiedService.lowercased()
            method.methodName = descriptor.method.lowercased()
            method.features = Self.features(service: method.serviceName, method: method.methodName)
            return method
        }
        return answer
    }

    static func features(service: String, method: String) -> [String] {
        if service == "event_store.client.persistent_subscriptions.persistentsubscriptions" { return ["stream", "all"] }
        if service == "event_store.client.streams.streams" && method == "read" { return ["position", "events"] }
        if service == "event_store.client.streams.streams" && method == "batchappend" { return ["deadline_duration"] }
        return []
    }
}

extension ESDBServer {
    /// The methods `services` register, for ServerFeatures (itself included).
    static func methods(of services: [any RegistrableRPCService]) -> [MethodDescriptor] {
        var router = RPCRouter<HTTP2ServerTransport.Posix>()
        for service in services { service.registerMethods(with: &router) }
        return router.methods + [EventStore_Client_ServerFeatures_ServerFeatures.Method.GetSupportedMethods.descriptor]
    }
}
