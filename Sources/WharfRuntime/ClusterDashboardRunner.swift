import Foundation
import WharfClusterSource
import WharfCore
import WharfDashboard
import WharfKafkaClient
import WharfSources

/// `wharf --bootstrap HOST:PORT[,...]`: the dashboard on a Kafka-protocol cluster. It starts
/// even when the cluster cannot be reached, and keeps trying with the reason on screen. The
/// caller has checked that stdout is a terminal.
public enum ClusterDashboardRunner {
    public static func run(kafka: KafkaClient.Configuration, settings: DashboardSettings, theme: Theme, outboxURLs: [String] = []) async throws {
        let client = KafkaClient(configuration: kafka.refreshing(clientId: "wharf-dashboard"))
        // Outboxes relay into the cluster through their own client: a relay's retries and the
        // dashboard's refresh then never wait on each other.
        let relayClient = KafkaClient(configuration: kafka)
        let outboxes: DashboardOutboxes
        do {
            outboxes = try await DashboardOutboxes.open(urls: outboxURLs, publisher: KafkaOutboxPublisher(client: relayClient, partitions: nil, clock: SystemClock()),
                                                        clock: SystemClock(), readOnly: settings.readOnly)
        } catch {
            await relayClient.close()
            await client.close()
            throw error
        }
        let driver = SourceDashboardDriver(source: KafkaClusterSource(client: client, clock: SystemClock()),
                                           label: "kafka " + kafka.bootstrap.map(\.description).joined(separator: ","), readOnly: settings.readOnly,
                                           outboxes: outboxes.outboxes, waitBudgetMs: 300)
        let metrics: MetricsEndpoint?
        do { metrics = try await settings.startMetrics(kafka: nil, storage: false) } catch {
            await outboxes.stop()
            await driver.close()
            await client.close()
            await relayClient.close()
            throw error
        }
        outboxes.start()
        // Nothing may write to the terminal while curses draws: stderr goes to a log file, named
        // at exit when something was written to it.
        let logFile = NSTemporaryDirectory() + "wharf-dashboard-\(getpid()).log"
        let restoreStderr = StderrRedirect(to: logFile)
        await DashboardRunner.runTerminal(theme: theme, settings: settings, driver: driver, metrics: metrics)
        restoreStderr.restore()
        await metrics?.stop()
        await outboxes.stop()
        await driver.close()
        await client.close()
        await relayClient.close()
        let size = (try? FileManager.default.attributesOfItem(atPath: logFile)[.size] as? Int) ?? 0
        if size > 0 { FileHandle.standardError.write(Data("wharf: messages written while the dashboard ran are in \(logFile)\n".utf8)) } else {
            try? FileManager.default.removeItem(atPath: logFile)
        }
    }
}
