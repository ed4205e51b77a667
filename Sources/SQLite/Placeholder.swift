// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite (being built)
