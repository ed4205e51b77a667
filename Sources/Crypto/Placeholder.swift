// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto (being built)
