import Foundation
import Testing
import WharfCore
@testable import WharfAMQPServer

/// SAS tokens as the SDKs make them (reference §2.2) and the key file of a data directory.
@Suite struct SharedAccessSignatureTests {
    static let keys = ["RootManageSharedAccessKey": "c2VjcmV0LWtleQ=="]
    static let now: Int64 = 1_800_000_000

    /// A token the Python SDK made (its `generate_sas_token`) for this key and audience.
    @Test func aTokenFromTheSDKVerifies() throws {
        // azure.servicebus._pyamqp.utils.generate_sas_token("sb://127.0.0.1:5672/q1", "RootManageSharedAccessKey",
        //                                                   "c2VjcmV0LWtleQ==", 1800003600) with 7.15.0.
        let token = "SharedAccessSignature sr=sb%3A%2F%2F127.0.0.1%3A5672%2Fq1&sig=InZ%2FKeGkAm1c3NBOMSXuw4pIgaNopi1%2BlwMD9A%2Bt8VQ%3D"
            + "&se=1800003600&skn=RootManageSharedAccessKey"
        #expect(SharedAccessSignature.token(resource: "sb://127.0.0.1:5672/q1", keyName: "RootManageSharedAccessKey",
                                            key: "c2VjcmV0LWtleQ==", expiry: 1_800_003_600) == token)
        let sas = try #require(SharedAccessSignature(token))
        #expect(sas.resource == "sb://127.0.0.1:5672/q1" && sas.keyName == "RootManageSharedAccessKey")
        #expect(sas.problem(keys: Self.keys, nowSeconds: Self.now) == nil)
    }

    @Test func wrongKeysExpiryAndTamperingAreRefused() throws {
        func problem(_ token: String, now: Int64 = SharedAccessSignatureTests.now) -> String? {
            guard let sas = SharedAccessSignature(token) else { return "unparsable" }
            return sas.problem(keys: Self.keys, nowSeconds: now)
        }
        let good = SharedAccessSignature.token(resource: "sb://h/q1", keyName: "RootManageSharedAccessKey", key: "c2VjcmV0LWtleQ==",
                                               expiry: Self.now + 60)
        #expect(problem(good) == nil)
        #expect(problem(good, now: Self.now + 60) == "the token expired")
        #expect(problem(good.replacingOccurrences(of: "sb%3A%2F%2Fh%2Fq1", with: "sb%3A%2F%2Fh%2Fq2")) == "invalid signature")
        #expect(problem(good.replacingOccurrences(of: "&se=\(Self.now + 60)", with: "&se=\(Self.now + 99999)")) == "invalid signature")
        #expect(problem(SharedAccessSignature.token(resource: "sb://h/q1", keyName: "RootManageSharedAccessKey", key: "other",
                                                    expiry: Self.now + 60)) == "invalid signature")
        #expect(problem(SharedAccessSignature.token(resource: "sb://h/q1", keyName: "nobody", key: "c2VjcmV0LWtleQ==",
                                                    expiry: Self.now + 60))?.contains("unknown shared access key name") == true)
        #expect(problem("Bearer eyJ...") == "unparsable")
        #expect(problem("SharedAccessSignature sr=x&sig=%ZZ&se=1&skn=k") == "unparsable")
    }

    @Test func theKeyFileIsCreatedOnceOwnerOnlyAndNeverRefilledWhenEmptied() throws {
        let dir = NSTemporaryDirectory() + "wharf-sb-keys-\(UUID().uuidString)/data"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let store = ServiceBusKeys(dataDirectory: dir)
        let first = try store.loadOrCreateDefault()
        #expect(first.keys.sorted() == ["RootManageSharedAccessKey"] && Data(base64Encoded: first.values.first!)?.count == 32)
        #expect(try store.loadOrCreateDefault() == first)
        let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try store.save([:])
        #expect(throws: WharfError.self) { try store.loadOrCreateDefault() }
        #expect(ServiceBusKeys.connectionString(host: "127.0.0.1", port: 5672, keyName: "k", key: "v")
            == "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;")
    }
}
