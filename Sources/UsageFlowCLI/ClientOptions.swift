// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import UsageFlowServer

/// How a client command reaches the server and prints the answer.
struct ClientOptions {
    static let defaultServer = NetworkAddress(host: "127.0.0.1", port: 8443)
    static let defaultCA = "certs/dev/ca.pem"

    var server = Self.defaultServer
    /// The CA to trust; nil trusts the system store (the default CA file was not found).
    var caPath: String?
    var cleartext = false
    /// A client certificate chain and its key (PEM files), for a service identity over mutual TLS.
    var certificatePath: String?
    var clientKeyPath: String?
    /// The API key; nil sends no credential.
    var key: String?
    /// Whether the key came from `--key`, which other users can see in the process list.
    var keyFromFlag = false
    var timeout: Duration = .seconds(30)
    var json = false
    var dryRun = false

    /// The connection flags, for help texts.
    static let help = """
        connection and output:
          --server HOST:PORT   the server (USAGEFLOW_SERVER; default 127.0.0.1:8443)
          --ca FILE            CA certificate to trust (USAGEFLOW_CA; default certs/dev/ca.pem when it
                               exists, else the system trust store)
          --h2c                cleartext HTTP/2 instead of TLS
          --cert FILE          client certificate (PEM) of a service identity (USAGEFLOW_CERT)
          --client-key FILE    its private key (PEM) (USAGEFLOW_CLIENT_KEY)
          --key KEY            API key; prefer USAGEFLOW_KEY (a flag is visible in the process list)
          --timeout SECONDS    give up after this long (default 30)
          --json               print the reply as proto3 JSON instead of readable text
          --data JSON|@FILE    the request as proto3 JSON (@- reads standard input); flags add to it
          --dry-run            print the request as JSON and do not send it
        """
}
