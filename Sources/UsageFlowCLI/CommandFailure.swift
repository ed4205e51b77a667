// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import UsageFlowServer

/// Why a command stops: what to print on standard error and the exit status.
///
/// Status 2 is a usage error (a bad flag or value: fix the command line), status 1 a failure of
/// the call or the server (fix the data, the credential or the server).
struct CommandFailure: Error {
    let status: Int32
    let text: String

    /// A usage error: `usageflow: <message>`, exit 2.
    static func usage(_ message: String) -> CommandFailure {
        CommandFailure(status: 2, text: "usageflow: \(message)\n")
    }

    /// A failure at run time: `error: <message>`, exit 1.
    static func failed(_ message: String) -> CommandFailure {
        CommandFailure(status: 1, text: "error: \(message)\n")
    }

    static func configuration(_ error: ConfigurationError) -> CommandFailure { usage(error.message) }
}
