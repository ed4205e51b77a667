// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SpreadsheetTests

@testable import Spreadsheet
import Testing

/// A workbook written by hand, shaped like Excel's output: prefixed namespaces, parts named
/// differently from ours, rich shared strings, styles with built-in and custom date formats.
func handWrittenWorkbook(date1904: Bool = false, sheetXML: String? = nil) -> [UInt8] {
    var builder = ZipBuilder()
    builder.add("[Content_Types].xml", "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")
    builder.add("_rels/.rels", """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
        Target="xl/book.xml"/></Relationships>
        """)
    builder.add("xl/book.xml", """
        <?xml version="1.0" encoding="UTF-8"?>
        <x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
        <x:workbookPr \(date1904 ? "date1904=\"1\"" : "")/><x:sheets>\
        <x:sheet name="general" sheetId="1" r:id="rId1"/><x:sheet name="Records" sheetId="2" r:id="rId7"/>\
        </x:sheets></x:workbook>
        """)
    builder.add("xl/_rels/book.xml.rels", """
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="sheets/a.xml"/>\
        <Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/sheets/../sheets/b.xml"/>\
        <Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="s.xml"/>\
        <Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/>\
        <Relationship Id="rId10" Type="http://example.com/hyperlink" Target="http://example.com" TargetMode="External"/>\
        </Relationships>
        """)
    builder.add("xl/s.xml", """
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd hh:mm"/>\
        <numFmt numFmtId="165" formatCode="&quot;Day&quot; 0.00"/></numFmts>\
        <cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>\
        <cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="4"/></cellXfs>\
        </styleSheet>
        """)
    builder.add("xl/strings.xml", """
        <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">\
        <si><t>record_id</t></si><si><t xml:space="preserve"> quantity </t></si>\
        <si><r><rPr><b/></rPr><t>rich </t></r><r><t>text</t></r><rPh><t>ignored</t></rPh></si>\
        <si><t>start_time_utc</t></si></sst>
        """)
    builder.add("xl/sheets/a.xml", "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>general</t></is></c></row></sheetData></worksheet>")
    builder.add("xl/sheets/b.xml", sheetXML ?? """
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:F5"/><sheetData>\
        <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>3</v></c></row>\
        <row r="2" spans="1:6"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1.50</v></c><c r="C2" s="1"><v>45292</v></c>\
        <c r="F2" s="2"><v>45292.75</v></c></row>\
        <row r="3"><c r="A3" s="1"/><c r="B3" s="3"/></row>\
        <row r="5"><c t="str"><f>A1&amp;"x"</f><v>formula text</v></c><c t="b"><v>1</v></c><c t="e"><v>#DIV/0!</v></c>\
        <c s="3"><v>1E-3</v></c><c s="4"><v>-0</v></c><c t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c>\
        <c t="d"><v>2024-05-06T07:08:09Z</v></c></row>\
        </sheetData></worksheet>
        """)
    return builder.build()
}

func allRows(_ workbook: XLSXWorkbook, _ sheet: String) throws(SpreadsheetError) -> [SpreadsheetRow] {
    var reader = try workbook.rows(of: workbook.sheet(named: sheet)!)
    var rows: [SpreadsheetRow] = []
    while let row = try reader.next() { rows.append(row) }
    return rows
}

@Suite struct XLSXWorkbookTests {
    @Test func readsSheetsThroughRelationships() throws {
        let workbook = try XLSXWorkbook(source: MemoryByteSource(handWrittenWorkbook()))
        #expect(workbook.sheets.map(\.name) == ["general", "Records"])
        #expect(workbook.sheets.map(\.partName) == ["xl/sheets/a.xml", "xl/sheets/b.xml"])
        #expect(workbook.sheet(named: "records")?.name == "Records")
        #expect(workbook.sheet(named: "usage_records") == nil)
    }

    @Test func readsEveryKindOfCell() throws {
        let rows = try allRows(XLSXWorkbook(source: MemoryByteSource(handWrittenWorkbook())), "records")
        #expect(rows.map(\.number) == [1, 2, 5])
        #expect(rows[0].cells == [.text("record_id"), .text(" quantity "), .text("start_time_utc")])
        #expect(rows[1].cells == [
            .text("rich text"), .number("1.50"), .date(SpreadsheetDateTime(year: 2024, month: 1, day: 1)), .empty, .empty,
            .date(SpreadsheetDateTime(year: 2024, month: 1, day: 1, hour: 18)),
        ])
        #expect(rows[2].cells == [
            .text("formula text"), .boolean(true), .error("#DIV/0!"), .number("1E-3"), .number("-0"), .text("inline"),
            .date(SpreadsheetDateTime(year: 2024, month: 5, day: 6, hour: 7, minute: 8, second: 9)),
        ])
    }

    @Test func honoursThe1904DateSystem() throws {
        let rows = try allRows(XLSXWorkbook(source: MemoryByteSource(handWrittenWorkbook(date1904: true))), "records")
        #expect(rows[1].cells[2] == .date(SpreadsheetDateTime(year: 2028, month: 1, day: 2)))
    }

    @Test func rowLimitIsEnforced() throws {
        var limits = XLSXLimits()
        limits.maximumRows = 2
        let workbook = try XLSXWorkbook(source: MemoryByteSource(handWrittenWorkbook()), limits: limits)
        #expect(errorCode { () throws(SpreadsheetError) in _ = try allRows(workbook, "records") } == "xlsx.too_many_rows")
    }

    @Test(arguments: [
        ("<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>99</v></c></row></sheetData></worksheet>", "xlsx.bad_shared_string"),
        ("<worksheet><sheetData><row r=\"1\"><c r=\"1A\"><v>1</v></c></row></sheetData></worksheet>", "xlsx.bad_reference"),
        ("<worksheet><sheetData><row r=\"2\"><c><v>1</v></c></row><row r=\"1\"><c><v>1</v></c></row></sheetData></worksheet>", "xlsx.row_order"),
        ("<worksheet><sheetData><row r=\"1\"><c><v>1</v></c>", "xml.truncated"),
        ("<!DOCTYPE x [<!ENTITY a 'b'>]><worksheet/>", "xml.doctype"),
    ])
    func brokenSheetsFail(sheet: String, code: String) throws {
        let workbook = try XLSXWorkbook(source: MemoryByteSource(handWrittenWorkbook(sheetXML: sheet)))
        #expect(errorCode { () throws(SpreadsheetError) in _ = try allRows(workbook, "records") } == code)
    }

    @Test func anArchiveWithoutAWorkbookIsNotAnXLSXFile() {
        var builder = ZipBuilder()
        builder.add("word/document.xml", "<document/>")
        #expect(errorCode { () throws(SpreadsheetError) in
            _ = try XLSXWorkbook(source: MemoryByteSource(builder.build()))
        } == "xlsx.not_a_workbook")
    }

    @Test func sharedStringsAreBounded() {
        var limits = XLSXLimits()
        limits.maximumSharedStringBytes = 10
        #expect(errorCode { () throws(SpreadsheetError) in
            _ = try XLSXWorkbook(source: MemoryByteSource(handWrittenWorkbook()), limits: limits)
        } == "xlsx.shared_strings_too_large")
    }

    @Test(arguments: [
        ("yyyy-mm-dd", true), ("d/m/yy h:mm", true), ("[h]:mm:ss", true), ("mm:ss", true), ("General", false),
        ("0.00", false), ("#,##0", false), ("\"Days\" 0", false), ("[Red]0.00", false), ("0.00_);[Red](0.00)", false),
        ("[$-409]mmmm d, yyyy", true), ("@", false), ("0.00E+00", false), ("\\d0", false), ("0;[Red]-0;\"zero\";@", false),
    ])
    func dateFormatCodes(code: String, isDate: Bool) {
        #expect(NumberFormats.isDateFormat(code) == isDate)
    }

    @Test func builtInDateFormats() {
        #expect((0...60).filter(NumberFormats.isBuiltInDate) == Array(14...22) + [45, 46, 47])
    }
}
