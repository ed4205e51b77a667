// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SpreadsheetTests

import Spreadsheet
import Testing

/// Every token of a document, rendered compactly: `<a x=1>`, `"text"`, `</a>`.
func tokens(_ xml: String, chunkSize: Int = 65_536, limits: XMLLimits = XMLLimits()) throws(SpreadsheetError) -> [String] {
    try tokens(Array(xml.utf8), chunkSize: chunkSize, limits: limits)
}

func tokens(_ bytes: [UInt8], chunkSize: Int = 65_536, limits: XMLLimits = XMLLimits()) throws(SpreadsheetError) -> [String] {
    var parser = XMLPullParser(source: MemoryChunkSource(bytes, chunkSize: chunkSize), partName: "test.xml", limits: limits)
    var result: [String] = []
    while true {
        switch try parser.next() {
        case .startElement:
            let attributes = try parser.attributes().map { " \($0.name)=\($0.value)" }.joined()
            result.append("<\(parser.name)\(attributes)>")
        case .endElement:
            result.append("</\(parser.name)>")
        case .text:
            result.append("\"\(try parser.text())\"")
        case .endOfDocument:
            return result
        }
    }
}

@Suite struct XMLPullParserTests {
    static let document = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <!-- a comment -->
        <x:worksheet xmlns:x="urn:main" a='single' b="dou&quot;ble"><sheetData><row r="1">\
        <c r="A1" t="inlineStr"><is><t>a &lt;b&gt; &amp; &apos;c&apos; &#65;&#x42;&#x20AC;</t></is></c>\
        <c r="B1"><v>1.50</v></c><c r="C1"/><c><t><![CDATA[<raw> & text]]> tail</t></c></row></sheetData>\
        <?pi ignored?></x:worksheet>

        """

    static let expected = [
        "<worksheet xmlns:x=urn:main a=single b=dou\"ble>", "<sheetData>", "<row r=1>", "<c r=A1 t=inlineStr>", "<is>", "<t>",
        "\"a <b> & 'c' AB€\"", "</t>", "</is>", "</c>", "<c r=B1>", "<v>", "\"1.50\"", "</v>", "</c>", "<c r=C1>", "</c>",
        "<c>", "<t>", "\"<raw> & text tail\"", "</t>", "</c>", "</row>", "</sheetData>", "</worksheet>",
    ]

    @Test func tokenizesADocument() throws {
        #expect(try tokens(Self.document) == Self.expected)
    }

    @Test(arguments: [1, 2, 3, 5, 7, 13, 64])
    func chunkBoundariesDoNotMatter(chunkSize: Int) throws {
        #expect(try tokens(Self.document, chunkSize: chunkSize) == Self.expected)
    }

    @Test func lineEndsInTextAreNormalized() throws {
        #expect(try tokens("<a>one\r\ntwo\rthree\n</a>", chunkSize: 4) == ["<a>", "\"one\ntwo\nthree\n\"", "</a>"])
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        #expect(try tokens([0xEF, 0xBB, 0xBF] + Array("<a/>".utf8)) == ["<a>", "</a>"])
    }

    @Test func aDoctypeIsRefused() {
        let bomb = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
            <sst><si><t>&lol2;</t></si></sst>
            """
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens(bomb) } == "xml.doctype")
    }

    @Test func undefinedEntitiesAreRefused() {
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens("<a>&lol;</a>") } == "xml.entity")
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens("<a b='&ext;'/>") } == "xml.entity")
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens("<a>&#0;</a>") } == "xml.entity")
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens("<a>&#xD800;</a>") } == "xml.entity")
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens("<a>&amp</a>") } == "xml.malformed")
    }

    @Test func invalidUTF8IsRefused() {
        let bytes = Array("<a>".utf8) + [0xC3, 0x28] + Array("</a>".utf8)
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens(bytes) } == "xml.invalid_utf8")
        let name = Array("<a b='".utf8) + [0xFF] + Array("'/>".utf8)
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens(name) } == "xml.invalid_utf8")
    }

    @Test func utf16IsRefused() {
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens([0xFF, 0xFE, 0x3C, 0x00]) } == "xml.encoding")
    }

    @Test func depthIsBounded() {
        var limits = XMLLimits()
        limits.maximumDepth = 10
        let deep = String(repeating: "<a>", count: 11) + String(repeating: "</a>", count: 11)
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens(deep, limits: limits) } == "xml.too_deep")
        let fine = String(repeating: "<a>", count: 10) + String(repeating: "</a>", count: 10)
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens(fine, limits: limits) } == nil)
    }

    @Test func tokenSizeIsBounded() {
        var limits = XMLLimits()
        limits.maximumTokenSize = 1000
        let longText = "<a>" + String(repeating: "x", count: 5000) + "</a>"
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens(longText, chunkSize: 100, limits: limits) } == "xml.token_too_large")
        let longTag = "<a b='" + String(repeating: "x", count: 5000) + "'/>"
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens(longTag, chunkSize: 100, limits: limits) } == "xml.token_too_large")
    }

    @Test(arguments: [
        ("<a><b></a></b>", "xml.malformed"),
        ("<a>text", "xml.truncated"),
        ("<a><b", "xml.truncated"),
        ("<a b=c/>", "xml.malformed"),
        ("", "xml.no_root"),
        ("text<a/>", "xml.malformed"),
        ("<a/><b/>", "xml.malformed"),
        ("<a><!-- open", "xml.truncated"),
        ("<a><![CDATA[ open", "xml.truncated"),
    ])
    func malformedDocumentsFail(xml: String, code: String) {
        #expect(errorCode { () throws(SpreadsheetError) in _ = try tokens(xml, chunkSize: 3) } == code)
    }

    @Test func skipElementSkipsItsContent() throws {
        var parser = XMLPullParser(source: MemoryChunkSource("<r><skip><x>1</x><y/></skip><keep/></r>"), partName: "t")
        #expect(try parser.next() == .startElement)
        #expect(try parser.next() == .startElement)
        try parser.skipElement()
        #expect(try parser.next() == .startElement)
        #expect(parser.name == "keep")
    }
}
