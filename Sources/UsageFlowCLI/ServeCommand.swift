// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Domain
import Glibc
import Storage
import UsageFlowServer
import UsageIngest

/// `usageflow serve`: opens the database, seeds the demo set when asked, serves until SIGTERM or
/// SIGINT, drains, closes the database and exits 0.
enum ServeCommand {
    static func run(_ arguments: [String], environment: [String: String]) async throws(CommandFailure) -> Int32 {
        if arguments.contains("--help") || arguments.contains("-h") {
            Console.out(UsageFlowConfiguration.usage + "\n")
            return 0
        }
        let configuration: UsageFlowConfiguration
        do {
            configuration = try UsageFlowConfiguration.parse(arguments, environment: environment)
            try configuration.checkFiles()
        } catch {
            throw .configuration(error)
        }
        let log = EventLog.standardError(level: configuration.logLevel)

        let store: SQLiteDataStore
        do {
            store = try await DatabaseSetup.openStore(path: configuration.databasePath)
        } catch {
            log.log(.error, "cannot open the database", ["db": .string(configuration.databasePath), "cause": .string("\(error)")])
            throw .failed("cannot open the database \(configuration.databasePath): \(error)")
        }
        let status: Int32
        do {
            status = try await serve(configuration, store: store, log: log)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
        log.log(.info, "database closed", ["db": .string(configuration.databasePath)])
        return status
    }

    private static func serve(
        _ configuration: UsageFlowConfiguration, store: SQLiteDataStore, log: EventLog
    ) async throws(CommandFailure) -> Int32 {
        let environmentValues = DomainEnvironment(store: store)

        // An upload a crash or kill cut short left its file uploading or processing, with the
        // previous record set intact, and its spooled bytes on disk; delete the bytes (only those
        // no live process holds) and return such files to where they were before serving.
        for path in UploadSpool.removeAbandoned(in: configuration.spoolDirectory) {
            log.log(.warn, "abandoned upload spool removed", ["path": .string(path)])
        }
        do {
            let recovered = try await UsageFileOperations(environment: environmentValues).recoverInterruptedUploads()
            for file in recovered {
                log.log(.warn, "interrupted upload recovered", ["file": .string(file.id), "status": .string(file.status.rawValue)])
            }
        } catch {
            throw .failed("cannot recover interrupted uploads: \(error)")
        }
        // A reconciliation file a crash cut short stays processing with the rows it applied;
        // its spool is gone, so it is marked failed, saying how far it got.
        do {
            let failed = try await UsageReconciliationOperations(environment: environmentValues)
                .recoverInterruptedReconciliations()
            for reconciliation in failed {
                log.log(.warn, "interrupted reconciliation marked failed", [
                    "reconciliation": .string(reconciliation.id), "rows": .string("\(reconciliation.counts.rows)"),
                ])
            }
        } catch {
            throw .failed("cannot recover interrupted reconciliations: \(error)")
        }

        var demo: DemoTenantSet?
        if configuration.demo {
            do {
                demo = try await DemoData(environment: environmentValues).seed(databasePath: configuration.databasePath)
            } catch let error as ConfigurationError {
                throw .configuration(error)
            } catch {
                throw .failed("cannot create the demo data: \(error)")
            }
        }

        let server: UsageFlowServer
        do {
            server = try UsageFlowServer(configuration: configuration, environment: environmentValues, log: log)
        } catch {
            log.log(.error, "cannot start", ["address": .string(configuration.address.description), "cause": .string("\(error)")])
            throw .failed("cannot serve on \(configuration.address): \(error)")
        }
        // The handlers go in before the server says it listens, so a SIGTERM sent right after that
        // line drains instead of killing; the thread that acts on it starts once the server runs,
        // so a shutdown never overtakes the start.
        let signals = SignalWaiter(signals: [SIGINT, SIGTERM]) { server.shutdown() }
        do {
            try server.start()
        } catch {
            log.log(.error, "cannot start", ["address": .string(configuration.address.description), "cause": .string("\(error)")])
            throw .failed("cannot serve on \(configuration.address): \(error)")
        }

        if let demo {
            var caPath: String?
            var cleartext = false
            switch configuration.security {
            case .tls(let certificate, _, _):
                let directory = certificate.contains("/") ? String(certificate[..<certificate.lastIndex(of: "/")!]) : "."
                let candidate = directory + "/ca.pem"
                caPath = Console.isReadableFile(candidate) ? candidate : nil
            case .h2c:
                cleartext = true
            }
            let address = NetworkAddress(host: configuration.address.host, port: server.port)
            Console.out(demo.summary(server: address, caPath: caPath, cleartext: cleartext))
        }

        signals.start()
        await server.run()
        return 0
    }
}
