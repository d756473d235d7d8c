import KafkaProtocol
import WharfAuth
import WharfCore

/// KIP-554: Kafka admin clients list and change SCRAM users over the wire
/// (DescribeUserScramCredentials, AlterUserScramCredentials), on the same store as `wharf user`.
/// Kafka's per-user rules: a user's alterations apply all or none; a user altered twice for one
/// mechanism, an unknown mechanism, iterations outside 4096...16384 or an empty salt are refused.
/// Anonymous clients and a `--read-only` listener are refused every alteration.
extension KafkaBroker {
    func describeUserScramCredentials(_ request: DescribeUserScramCredentialsRequest) -> DescribeUserScramCredentialsResponse {
        var response = DescribeUserScramCredentialsResponse(errorMessage: nil)
        let database: UserDatabase
        do {
            database = try configuration.users?.load() ?? UserDatabase()
        } catch {
            response.errorCode = KafkaError.unknownServerError
            response.errorMessage = error.description
            return response
        }
        func result(_ user: String) -> DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult {
            let infos = (database.users[user] ?? [:]).compactMap { mechanism, credential in
                mechanism.scramTypeCode.map {
                    DescribeUserScramCredentialsResponse.CredentialInfo(mechanism: $0, iterations: Int32(clamping: credential.iterations))
                }
            }.sorted { $0.mechanism < $1.mechanism }
            guard !infos.isEmpty else {
                return .init(user: user, errorCode: KafkaError.resourceNotFound,
                             errorMessage: "Attempt to describe a user credential that does not exist: \(user)")
            }
            return .init(user: user, errorCode: KafkaError.none, errorMessage: nil, credentialInfos: infos)
        }
        guard let requested = request.users, !requested.isEmpty else {
            response.results = database.users.keys.sorted().map(result).filter { $0.errorCode == KafkaError.none }
            return response
        }
        // Counted in one pass: a request may list many names (linear, never quadratic).
        let names = requested.map(\.name)
        var counts: [String: Int] = [:]
        for name in names { counts[name, default: 0] += 1 }
        var seen = Set<String>()
        for name in names where seen.insert(name).inserted {
            response.results.append(counts[name, default: 0] > 1
                ? .init(user: name, errorCode: KafkaError.duplicateResource,
                        errorMessage: "Cannot describe SCRAM credentials for the same user twice in a single request: \(name)")
                : result(name))
        }
        return response
    }

    static let maxScramAlterationsPerRequest = 1000

    /// Changing users needs an authenticated client (SASL or a client certificate): an anonymous
    /// one on a PLAINTEXT listener must not mint credentials for the SASL listeners. (Kafka
    /// without an authorizer lets anyone; ACLs will refine this.)
    func alterUserScramCredentials(_ request: AlterUserScramCredentialsRequest, principal: String,
                                   actor: AuditActor) -> AlterUserScramCredentialsResponse {
        var order: [String] = []
        var failures: [String: (Int16, String)] = [:]
        func fail(_ user: String, _ code: Int16, _ message: String) {
            if failures[user] == nil { failures[user] = (code, message) }
        }
        var listed = Set<String>()
        for name in request.deletions.map(\.name) + request.upsertions.map(\.name) where listed.insert(name).inserted {
            order.append(name)
        }
        func results() -> AlterUserScramCredentialsResponse {
            AlterUserScramCredentialsResponse(results: order.map { user in
                let (code, message) = failures[user] ?? (KafkaError.none, nil)
                return .init(user: user, errorCode: code, errorMessage: message)
            })
        }
        if configuration.readOnly {
            for user in order { fail(user, KafkaError.clusterAuthorizationFailed, Self.readOnlyMessage) }
            return results()
        }
        // Each upsertion costs HMACs and a rewrite of the whole store: bound one request's work.
        guard request.deletions.count + request.upsertions.count <= Self.maxScramAlterationsPerRequest else {
            for user in order.prefix(Self.maxScramAlterationsPerRequest) {
                fail(user, KafkaError.policyViolation, "at most \(Self.maxScramAlterationsPerRequest) credential changes per request")
            }
            order = Array(order.prefix(Self.maxScramAlterationsPerRequest))
            return results()
        }
        if principal == KafkaConnectionInfo.anonymous {
            for user in order { fail(user, KafkaError.clusterAuthorizationFailed, "only an authenticated client may change SCRAM users") }
            return results()
        }
        guard let store = configuration.users else {
            for user in order { fail(user, KafkaError.unknownServerError, "this listener has no user store") }
            return results()
        }
        // Checks that need no stored state.
        var altered = Set<String>()
        let alterations = request.deletions.map { ($0.name, $0.mechanism) } + request.upsertions.map { ($0.name, $0.mechanism) }
        for (user, code) in alterations {
            do { try UserDatabase.validate(userName: user) } catch { fail(user, KafkaError.unacceptableCredential, "\(error)") }
            if SaslMechanism(scramTypeCode: code) == nil { fail(user, KafkaError.unsupportedSaslMechanism, "Unknown SCRAM mechanism") }
            if !altered.insert("\(code) \(user)").inserted {
                fail(user, KafkaError.duplicateResource, "A user credential cannot be altered twice in the same request")
            }
        }
        var credentials: [(user: String, mechanism: SaslMechanism, credential: ScramCredential)] = []
        for upsertion in request.upsertions {
            guard let mechanism = SaslMechanism(scramTypeCode: upsertion.mechanism) else { continue }
            let iterations = Int(upsertion.iterations)
            guard ScramCredential.iterationRange.contains(iterations) else {
                fail(upsertion.name, KafkaError.unacceptableCredential,
                     iterations < ScramCredential.iterationRange.lowerBound ? "Too few iterations" : "Too many iterations")
                continue
            }
            guard !upsertion.salt.isEmpty, upsertion.salt.count <= 1024, upsertion.saltedPassword.count == mechanism.hash.digestByteCount else {
                fail(upsertion.name, KafkaError.unacceptableCredential, "Invalid salt or salted password")
                continue
            }
            credentials.append((upsertion.name, mechanism, ScramCredential(
                saltedPassword: upsertion.saltedPassword, hash: mechanism.hash, salt: upsertion.salt, iterations: iterations)))
        }
        // One writer at a time (across processes too): load, change, replace.
        do {
            try store.update(actor: actor) { (database: inout UserDatabase) throws(WharfError) in
                for deletion in request.deletions {
                    guard let mechanism = SaslMechanism(scramTypeCode: deletion.mechanism) else { continue }
                    if database.users[deletion.name]?[mechanism] == nil {
                        fail(deletion.name, KafkaError.resourceNotFound, "Attempt to delete a user credential that does not exist")
                    }
                }
                for deletion in request.deletions where failures[deletion.name] == nil {
                    guard let mechanism = SaslMechanism(scramTypeCode: deletion.mechanism) else { continue }
                    database.users[deletion.name]?[mechanism] = nil
                    if database.users[deletion.name]?.isEmpty == true { database.users[deletion.name] = nil }
                }
                for (user, mechanism, credential) in credentials where failures[user] == nil {
                    database.users[user, default: [:]][mechanism] = credential
                }
            }
        } catch {
            for user in order where failures[user] == nil { fail(user, KafkaError.kafkaStorageError, "\(error)") }
        }
        return results()
    }
}
