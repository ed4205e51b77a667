// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

extension String {
    /// Nil for the empty string: proto3 strings are empty when unset, and an empty filter means "all".
    public var nonEmpty: String? { isEmpty ? nil : self }
}
