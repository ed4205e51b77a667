// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import Contracts
import ProtoWire
import StandardServices

/// The UsageFlow API as its descriptors describe it: what the server reflects and what the
/// client builds its commands from, so the two can never disagree.
public enum APIDescriptors {
    /// Every embedded `.proto` file: the API, its imports and the well-known types.
    public static var files: [FileDescriptorData] { ReflectionService.bundledFiles }

    /// The role services, in the order the client lists them.
    public static let services: [ServiceSchema] = [
        Usageflow_V1_AdminService.schema, Usageflow_V1_VendorService.schema,
        Usageflow_V1_DistributorService.schema, Usageflow_V1_ResellerService.schema,
    ]
}
