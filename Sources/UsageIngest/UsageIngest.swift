// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

import Domain
import Spreadsheet

/// Usage files in and out of the domain: uploads spooled to disk, XLSX and CSV rows read as usage
/// rows, processed files and per-product templates written back.
public enum UsageIngest {}
