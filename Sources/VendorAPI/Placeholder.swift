// SPDX-License-Identifier: Apache-2.0
// UsageFlow — VendorAPI (being built)
