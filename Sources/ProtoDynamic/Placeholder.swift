// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoDynamic (being built)
