// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain (being built)
