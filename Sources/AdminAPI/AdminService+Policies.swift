// SPDX-License-Identifier: Apache-2.0
// UsageFlow — AdminAPI

import Authorization
import Contracts
import ProtoWire

extension AdminService {
    /// Who may call each RPC, by method path: operator keys only; Get and List read, the rest
    /// write, so a read-only operator key can look but not change anything.
    ///
    /// Stated as values next to the service so the authentication interceptor enforces them
    /// before a handler runs and a truth-table test can check every RPC has one.
    public static let policies: [String: Policy] = {
        typealias Service = Usageflow_V1_AdminService
        let reads = [Service.GetAccount.schema, Service.ListAccounts.schema, Service.ListApiKeys.schema]
        let writes = [Service.CreateAccount.schema, Service.CreateApiKey.schema, Service.RevokeApiKey.schema]
        var policies: [String: Policy] = [:]
        for method in reads { policies[method.path] = .read(.operator) }
        for method in writes { policies[method.path] = .write(.operator) }
        return policies
    }()
}
