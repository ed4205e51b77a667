// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI

import Contracts

/// The generated protocol, declared once every method exists: the catalogue's in
/// `VendorService+Catalogue.swift`, the channel's in `VendorService+Channel.swift`.
extension VendorService: Usageflow_V1_VendorService_SimpleServiceProtocol {}
