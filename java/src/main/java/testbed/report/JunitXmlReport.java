package testbed.report;

import java.util.Locale;

/**
 * Renders the report as JUnit XML: one testsuite per suite, one testcase per case.
 * An expected failure is a passing testcase (the broken variant was caught, as
 * it should be) with its message kept in system-out.
 */
public final class JunitXmlReport {
    private JunitXmlReport() {}

    public static String render(Report report) {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        int tests = 0, failures = 0, errors = 0, skipped = 0;
        for (SuiteResult s : report.suites()) {
            for (CaseResult c : s.cases()) {
                tests++;
                switch (c.status()) {
                    case FAILED -> failures++;
                    case ERROR -> errors++;
                    case SKIPPED -> skipped++;
                    default -> { }
                }
            }
        }
        x.append(String.format(Locale.ROOT,
                "<testsuites name=\"interop-testbed\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\">%n",
                tests, failures, errors, skipped));
        for (SuiteResult s : report.suites()) {
            long f = s.cases().stream().filter(c -> c.status() == Status.FAILED).count();
            long e = s.cases().stream().filter(c -> c.status() == Status.ERROR).count();
            long k = s.cases().stream().filter(c -> c.status() == Status.SKIPPED).count();
            double time = s.cases().stream().mapToDouble(CaseResult::durationMs).sum() / 1000.0;
            x.append(String.format(Locale.ROOT,
                    "  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"%.3f\">%n",
                    attr(s.name()), s.cases().size(), f, e, k, time));
            for (CaseResult c : s.cases()) {
                x.append(String.format(Locale.ROOT, "    <testcase classname=\"interop.%s\" name=\"%s\" time=\"%.3f\"",
                        attr(s.name()), attr(c.name()), c.durationMs() / 1000.0));
                switch (c.status()) {
                    case PASSED -> x.append("/>\n");
                    case EXPECTED_FAILURE -> x.append(">\n      <system-out>expected failure: ")
                            .append(text(c.message())).append("</system-out>\n    </testcase>\n");
                    case FAILED -> x.append(">\n      <failure message=\"").append(attr(c.message())).append("\"/>\n    </testcase>\n");
                    case ERROR -> x.append(">\n      <error message=\"").append(attr(c.message())).append("\"/>\n    </testcase>\n");
                    case SKIPPED -> x.append(">\n      <skipped message=\"").append(attr(c.message())).append("\"/>\n    </testcase>\n");
                }
            }
            x.append("  </testsuite>\n");
        }
        return x.append("</testsuites>\n").toString();
    }

    static String attr(String s) {
        return text(s).replace("\"", "&quot;");
    }

    static String text(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                default -> {
                    // XML 1.0 forbids most control characters even when escaped.
                    if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') b.append('?');
                    else b.append(ch);
                }
            }
        }
        return b.toString();
    }
}
