package testbed.scopes;

import testbed.proto.v1.CallRecord;

import java.util.List;
import java.util.Map;

/**
 * What one trial measured, per runtime, for the case's verdict and tables. Built by
 * {@link Leftovers#measure} through a {@link Builder} that names every figure, so that no
 * figure is passed by position; a figure not set is 0, "", empty or null (not counted).
 */
final class Trial {
    // Go
    /** Goroutines of the scope still running LEAK_BOUND after close(); null when the trial could not count them. */
    final Integer goLeft;
    /** Goroutines of the scope when EndScope was called; null when not counted. */
    final Integer goAtEndScope;
    /** Why the Go counts are n/a; null when they were taken. */
    final String goNotCounted;
    final int goTotalBefore;
    final int goTotalAfter;
    /** The Go handlers' records of the scope's calls. */
    final List<CallRecord> records;
    // Java
    /** What the scope's owner saw, in words. */
    final String javaSaw;
    final int javaLeft;
    /** The leftover Java threads, described; "" when none. */
    final String javaLeftNames;
    /** New threads since the scope opened that are not leftovers (the JVM's own, idle pool threads). */
    final int infraThreads;
    // C
    final int cLeft;
    final int cAtClose;
    /** Per call with native workers in this JVM, who stopped them ("go", "java", ...). */
    final Map<String, String> nativeStoppedBy;
    // when the last remote child ended, against close()
    final long outliveNs;
    final long lastRemoteEndNs;
    /** When the peer's last native worker ended, against close(); null when the peer started none. */
    final Long peerNativeEndNs;
    // the outcome
    final List<String> problems;
    /** What broke the scenario itself (the counts were still taken); null when it ran through. */
    final Exception fault;

    private Trial(Builder b) {
        goLeft = b.goLeft;
        goAtEndScope = b.goAtEndScope;
        goNotCounted = b.goNotCounted;
        goTotalBefore = b.goTotalBefore;
        goTotalAfter = b.goTotalAfter;
        records = b.records;
        javaSaw = b.javaSaw;
        javaLeft = b.javaLeft;
        javaLeftNames = b.javaLeftNames;
        infraThreads = b.infraThreads;
        cLeft = b.cLeft;
        cAtClose = b.cAtClose;
        nativeStoppedBy = b.nativeStoppedBy;
        outliveNs = b.outliveNs;
        lastRemoteEndNs = b.lastRemoteEndNs;
        peerNativeEndNs = b.peerNativeEndNs;
        problems = b.problems;
        fault = b.fault;
    }

    static final class Builder {
        private Integer goLeft;
        private Integer goAtEndScope;
        private String goNotCounted;
        private int goTotalBefore;
        private int goTotalAfter;
        private List<CallRecord> records = List.of();
        private String javaSaw = "";
        private int javaLeft;
        private String javaLeftNames = "";
        private int infraThreads;
        private int cLeft;
        private int cAtClose;
        private Map<String, String> nativeStoppedBy = Map.of();
        private long outliveNs;
        private long lastRemoteEndNs;
        private Long peerNativeEndNs;
        private List<String> problems = List.of();
        private Exception fault;

        Builder goLeft(Integer v) {
            goLeft = v;
            return this;
        }

        Builder goAtEndScope(Integer v) {
            goAtEndScope = v;
            return this;
        }

        Builder goNotCounted(String v) {
            goNotCounted = v;
            return this;
        }

        Builder goTotalBefore(int v) {
            goTotalBefore = v;
            return this;
        }

        Builder goTotalAfter(int v) {
            goTotalAfter = v;
            return this;
        }

        Builder records(List<CallRecord> v) {
            records = List.copyOf(v);
            return this;
        }

        Builder javaSaw(String v) {
            javaSaw = v;
            return this;
        }

        Builder javaLeft(int v) {
            javaLeft = v;
            return this;
        }

        Builder javaLeftNames(String v) {
            javaLeftNames = v;
            return this;
        }

        Builder infraThreads(int v) {
            infraThreads = v;
            return this;
        }

        Builder cLeft(int v) {
            cLeft = v;
            return this;
        }

        Builder cAtClose(int v) {
            cAtClose = v;
            return this;
        }

        Builder nativeStoppedBy(Map<String, String> v) {
            nativeStoppedBy = Map.copyOf(v);
            return this;
        }

        Builder outliveNs(long v) {
            outliveNs = v;
            return this;
        }

        Builder lastRemoteEndNs(long v) {
            lastRemoteEndNs = v;
            return this;
        }

        Builder peerNativeEndNs(Long v) {
            peerNativeEndNs = v;
            return this;
        }

        Builder problems(List<String> v) {
            problems = List.copyOf(v);
            return this;
        }

        Builder fault(Exception v) {
            fault = v;
            return this;
        }

        Trial build() {
            return new Trial(this);
        }
    }
}
