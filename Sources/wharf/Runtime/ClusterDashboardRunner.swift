import ArgumentParser
import Foundation
import WharfClusterSource
import WharfCore
import WharfDashboard
import WharfKafkaClient
import WharfMetrics
import WharfSources

/// `wharf --bootstrap HOST:PORT[,...]`: the dashboard on a Kafka-protocol cluster. It starts
/// even when the cluster cannot be reached, and keeps trying with the reason on screen.
enum ClusterDashboardRunner {
    static func run(kafka: KafkaClient.Configuration, options: DashboardOptions, theme: Theme, outboxURLs: [String] = []) async throws {
        guard isatty(1) == 1 else {
            throw ValidationError("the dashboard needs a terminal on stdout; for scripts use the other commands with --bootstrap (see wharf --help)")
        }
        var configuration = kafka
        configuration.clientId = "wharf-dashboard"
        // The dashboard retries on every refresh by itself: two attempts per call absorb a leader
        // or coordinator move (metadata refreshed in between) and keep a refresh against a dead
        // address short; the status line says what failed.
        configuration.attempts = 2
        configuration.connectTimeoutMs = 3_000
        configuration.requestTimeoutMs = 10_000
        let client = KafkaClient(configuration: configuration)
        // Outboxes relay into the cluster through their own client: a relay's retries and the
        // dashboard's refresh then never wait on each other.
        let relayClient = KafkaClient(configuration: kafka)
        let outboxes: DashboardOutboxes
        do {
            outboxes = try await DashboardOutboxes.open(urls: outboxURLs, publisher: KafkaOutboxPublisher(client: relayClient, partitions: nil, clock: SystemClock()),
                                                        clock: SystemClock(), readOnly: options.readOnly)
        } catch {
            await relayClient.close()
            await client.close()
            throw error
        }
        let driver = SourceDashboardDriver(source: KafkaClusterSource(client: client, clock: SystemClock()),
                                           label: "kafka " + kafka.bootstrap.map(\.description).joined(separator: ","), readOnly: options.readOnly,
                                           outboxes: outboxes.outboxes, waitBudgetMs: 300)
        var metrics: MetricsEndpoint?
        if let address = options.metrics.metricsListen {
            do { metrics = try await MetricsEndpoint.start(address, kafka: nil, storage: false) } catch {
                await outboxes.stop()
                await driver.close()
                await client.close()
                await relayClient.close()
                throw error
            }
        }
        outboxes.start()
        // Nothing may write to the terminal while curses draws: stderr goes to a log file, named
        // at exit when something was written to it.
        let logFile = NSTemporaryDirectory() + "wharf-dashboard-\(getpid()).log"
        let restoreStderr = StderrRedirect(to: logFile)
        let state = DashboardState(capabilities: driver.capabilities, readOnly: options.readOnly, refreshMs: options.refresh)
        if let metrics {
            await DashboardRunner.runTerminal(theme: theme, state: state, driver: MetricsRecordingDriver(driver, feed: metrics.feed))
        } else {
            await DashboardRunner.runTerminal(theme: theme, state: state, driver: driver)
        }
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
