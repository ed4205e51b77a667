// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow
//
//   usageflow serve [flags] [--demo]          run the API server
//   usageflow init [--db PATH]                create a database and print an operator key
//   usageflow <role> <resource> <verb> …      call one RPC (admin, vendor, distributor, reseller)
//
// Exit status: 0 success, 1 the call or the server failed, 2 a usage error.

import Glibc

let arguments = Array(CommandLine.arguments.dropFirst())
let status: Int32
do {
    status = try await UsageFlowCommand.run(arguments, environment: Console.environment())
} catch {
    Console.error(error.text)
    status = error.status
}
exit(status)
