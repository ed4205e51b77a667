// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage (being built)
