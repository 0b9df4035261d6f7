package testbed.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A buf finding, parsed from buf's JSON and printed as "path:line:col: RULE: message". */
@Timeout(10)
class ContractFindingTest {
    @Test
    void parsesBufJsonAndPrintsCompilerStyle() {
        Finding f = Finding.fromBufJson("{\"path\":\"proto/interop/v1/peer.proto\",\"start_line\":36,\"start_column\":3,"
                + "\"end_line\":36,\"end_column\":9,\"type\":\"FIELD_WIRE_COMPATIBLE_TYPE\",\"message\":\"Field \\\"3\\\" changed type.\"}");
        assertEquals("proto/interop/v1/peer.proto:36:3: FIELD_WIRE_COMPATIBLE_TYPE: Field \"3\" changed type.", f.toString());
        assertEquals("proto/interop/v1/peer.proto:36:3", f.row().get("location"));
    }

    @Test
    void aFindingWithoutALineNamesTheFileAlone() {
        Finding f = Finding.fromBufJson("{\"path\":\"interop/v1/gone.proto\",\"type\":\"FILE_NO_DELETE\",\"message\":\"Previously present file was deleted.\"}");
        assertEquals("interop/v1/gone.proto: FILE_NO_DELETE: Previously present file was deleted.", f.toString());
    }

    @Test
    void aLineThatIsNotAFindingIsOneClearError() {
        ContractException e = assertThrows(ContractException.class, () -> Finding.fromBufJson("Failure: something odd"));
        assertEquals("buf printed a line that is not a JSON finding: Failure: something odd", e.getMessage());
        assertThrows(ContractException.class, () -> Finding.fromBufJson("{\"path\":\"x.proto\"}"));
    }

    @Test
    void githubAnnotationCarriesFileLineAndColumn() {
        assertEquals("::error file=proto/a.proto,line=4,col=7::RULE: 100%25 wrong",
                ContractCheck.annotation("proto/a.proto:4:7: RULE: 100% wrong"));
        assertEquals("::error::proto/x.binpb: byte 3: bad", ContractCheck.annotation("proto/x.binpb: byte 3: bad"));
    }

    @Test
    void faultLinesOfTheCheckStartAtColumnZero() {
        ContractTestSupport.Run r = new ContractTestSupport.Run(1, "  FAIL  contract/x  msg\nproto/a.proto:4:7: RULE: m\n      (expected) proto/b.proto:1:1: R: m\n", "");
        assertEquals(1, r.faultLines().size());
        assertTrue(r.faultLines().get(0).startsWith("proto/a.proto:4:7: "));
        assertFalse(r.faultLines().get(0).contains("expected"));
    }
}
