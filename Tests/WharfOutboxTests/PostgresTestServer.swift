import Foundation
import WharfTestSupport
@testable import WharfOutbox

/// The PostgreSQL server of the outbox tests (`WharfTestSupport.PostgresTestCluster`), parsed.
enum PostgresTestServer {
    static func url() throws -> PostgresURL {
        try PostgresURL(parsing: try PostgresTestCluster.url())
    }
}
