// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Domain
import Storage
import UsageFlowServer

/// `usageflow init [--db PATH] [--new-operator-key]`: creates the database (every migration) and
/// prints a new operator key, once.
enum InitCommand {
    static let usage = """
        usage: usageflow init [--db PATH] [--new-operator-key]

        Creates the database (USAGEFLOW_DB; default ./usageflow.db) or brings it to the current
        schema, and prints a new operator key. The key is shown only now: the database keeps only
        its hash. Refuses when the database already has a valid operator key, unless
        --new-operator-key is given.
        """

    static func run(_ arguments: [String], environment: [String: String]) async throws(CommandFailure) -> Int32 {
        var path = environment["USAGEFLOW_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? UsageFlowConfiguration.defaultDatabase
        var newKey = false
        var cursor = ArgumentCursor(arguments)
        do {
            while let flag = cursor.nextFlag() {
                switch flag {
                case "--help", "-h":
                    Console.out(usage + "\n")
                    return 0
                case "--db":
                    path = try cursor.value(for: flag)
                    guard !path.isEmpty else { throw CommandFailure.usage("--db: must not be empty") }
                case "--new-operator-key":
                    try cursor.noValue(for: flag)
                    newKey = true
                default:
                    throw CommandFailure.usage("\(flag): is not a flag of `usageflow init` (see --help)")
                }
            }
        } catch let error as CommandFailure {
            throw error
        } catch let error as ConfigurationError {
            throw .configuration(error)
        } catch {
            throw .usage("\(error)")
        }

        let store: SQLiteDataStore
        do {
            store = try await DatabaseSetup.openStore(path: path)
        } catch {
            throw .failed("cannot open the database \(path): \(error)")
        }
        let token: String
        do {
            token = try await DatabaseSetup.issueOperatorKey(
                environment: DomainEnvironment(store: store), databasePath: path, evenIfOneExists: newKey)
            await store.close()
        } catch let error as ConfigurationError {
            await store.close()
            throw .failed(error.message)
        } catch {
            await store.close()
            throw .failed("cannot issue the operator key: \(error)")
        }
        Console.out("""
            Database ready: \(path)
            New operator key (shown only now; the database keeps only its hash):

              export USAGEFLOW_KEY=\(token)

            Next: usageflow serve --db \(path)   then   usageflow admin accounts create --role vendor --name 'My Vendor'

            """)
        return 0
    }
}
