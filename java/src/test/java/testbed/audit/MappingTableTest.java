package testbed.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import testbed.audit.MappingTable.Role;
import testbed.audit.MappingTable.Verdict;
import testbed.litmus.lang.Strength;

/** The table's verdicts on sequences, and how instructions become the table's tokens. */
class MappingTableTest {

    @Test
    void aSequenceOfAStrongerRowIsStrongerAndOneOfNoRowAtLeastAsStrongIsWeaker() {
        assertEquals(Verdict.MATCHES, MappingTable.judge(Isa.AARCH64, Role.LOAD, Strength.ACQUIRE, "ldapr"));
        assertEquals(Verdict.WEAKER, MappingTable.judge(Isa.AARCH64, Role.LOAD, Strength.SEQ_CST, "ldapr"));
        assertEquals(Verdict.STRONGER, MappingTable.judge(Isa.AARCH64, Role.LOAD, Strength.RELAXED, "ldar"));
        assertEquals(Verdict.WEAKER, MappingTable.judge(Isa.AARCH64, Role.STORE, Strength.RELEASE, "str"));
        assertEquals(Verdict.WEAKER, MappingTable.judge(Isa.AARCH64, Role.RMW, Strength.RELEASE, "ldadda"));
        assertEquals(Verdict.STRONGER, MappingTable.judge(Isa.AARCH64, Role.RMW, Strength.RELEASE, "ldaddal"));
        assertEquals(Verdict.WEAKER, MappingTable.judge(Isa.AARCH64, Role.FENCE, Strength.SEQ_CST, "dmb ishld"));
        assertEquals(Verdict.WEAKER, MappingTable.judge(Isa.X86_64, Role.STORE, Strength.SEQ_CST, "mov"));
        assertEquals(Verdict.MATCHES, MappingTable.judge(Isa.X86_64, Role.STORE, Strength.SEQ_CST, "mov+lock add"));
        assertEquals(Verdict.STRONGER, MappingTable.judge(Isa.X86_64, Role.STORE, Strength.RELEASE, "xchg"));
        assertEquals(Verdict.WEAKER, MappingTable.judge(Isa.X86_64, Role.RMW, Strength.RELAXED, "mov/mov"));
        assertEquals(Verdict.STRONGER, MappingTable.judge(Isa.X86_64, Role.FENCE, Strength.ACQ_REL, "mfence"));
    }

    /**
     * docs/MEMORY_MODEL.md shows the table the audit judges by, not a copy of it: the text
     * between its mapping-table markers is {@link MappingTable#markdown()}, character for
     * character, and every non-atomic row of the code says "anything".
     */
    @Test
    void theDocsTableIsTheCodesTable() throws IOException {
        String doc = Files.readString(Path.of("docs/MEMORY_MODEL.md"));
        String begin = "<!-- mapping-table: generated from testbed.audit.MappingTable.markdown(); MappingTableTest holds it -->\n";
        String end = "<!-- /mapping-table -->";
        int from = doc.indexOf(begin), to = doc.indexOf(end);
        if (from < 0 || to < from) throw new AssertionError("docs/MEMORY_MODEL.md lacks the mapping-table markers");
        assertEquals(MappingTable.markdown(), doc.substring(from + begin.length(), to),
                "docs/MEMORY_MODEL.md's table differs from MappingTable: put MappingTable.markdown() between its markers");
        for (Isa isa : Isa.values()) {
            for (Role role : List.of(Role.LOAD, Role.STORE, Role.RMW)) {
                assertEquals("anything (non-atomic)", MappingTable.required(isa, role, Strength.PLAIN), isa + " " + role);
            }
        }
    }

    @Test
    void everyPathMustKeepThePromise() {
        assertEquals(Verdict.MATCHES, MappingTable.judgeAll(Isa.AARCH64, Role.RMW, Strength.SEQ_CST, List.of("ldaddal", "ldaxr/stlxr")));
        assertEquals(Verdict.WEAKER, MappingTable.judgeAll(Isa.AARCH64, Role.RMW, Strength.SEQ_CST, List.of("ldaddal", "ldxr/stlxr")));
        assertEquals(Verdict.WEAKER, MappingTable.judgeAll(Isa.AARCH64, Role.LOAD, Strength.RELAXED, List.of()));
        assertEquals(Verdict.MATCHES, MappingTable.judgeAll(Isa.AARCH64, Role.LOAD, Strength.PLAIN, List.of()));
    }

    @Test
    void instructionsBecomeTokens() {
        assertEquals("xchg", Isa.X86_64.token("xchg", "%rdi,(%rax)").name());
        assertNull(Isa.X86_64.token("xchg", "%ax,%ax"), "a two-byte nop");
        assertEquals(Isa.Kind.BARRIER, Isa.X86_64.token("lock orq", "$0x0,(%rsp)").kind());
        assertEquals(Isa.Kind.RMW, Isa.X86_64.token("lock xadd", "%rax,(%rdi)").kind());
        assertEquals(Isa.Kind.STORE, Isa.X86_64.token("mov", "%rdi,(%rdx)").kind());
        assertEquals(Isa.Kind.LOAD, Isa.X86_64.token("mov", "0x8(%rax),%rdi").kind());
        assertEquals(Isa.Kind.STORE, Isa.X86_64.token("movq", "$0x1,(%rcx,%rdx,1)").kind());
        assertEquals(Isa.Kind.LOAD, Isa.X86_64.token("mov", "0x8(%rdx,%rcx,1),%r8").kind());
        assertNull(Isa.X86_64.token("mov", "%rbp,0x10(%rsp)"), "a spill");
        assertEquals("ldaddal", Isa.AARCH64.token("ldaddal", "x0, x0, [x1]").name());
        assertEquals("ldaddl", Isa.AARCH64.token("staddl", "x0, [x1]").name());
        assertEquals("casal", Isa.AARCH64.token("casal", "x5, x7, [x0]").name());
        assertEquals("ldar", Isa.AARCH64.token("ldar", "x5, [x5]").name());
        assertEquals("ldapr", Isa.AARCH64.token("ldapr", "x5, [x5]").name());
        assertEquals("stlr", Isa.AARCH64.token("stlr", "x5, [x0]").name());
        assertEquals("dmb ishld", Isa.AARCH64.token("dmb", "ishld").name());
        assertNull(Isa.AARCH64.token("stp", "x29, x30, [sp, #-64]!"));
        assertEquals("__aarch64_ldadd8_relax", Isa.AARCH64.token("bl", "830 <__aarch64_ldadd8_relax>").name());
    }
}
