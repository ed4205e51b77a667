// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts

/// The generated protocol, declared once every method exists: the channel's in the
/// `DistributorService+<Area>.swift` files, credentials' in `DistributorService+Credentials.swift`.
extension DistributorService: Usageflow_V1_DistributorService_SimpleServiceProtocol {}
