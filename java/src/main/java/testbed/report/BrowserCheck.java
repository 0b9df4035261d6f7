package testbed.report;

import testbed.FileTrees;
import testbed.proc.ChildProcess;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Opens report.html and compare.html in a real browser, headless Chromium (Debian's
 * {@code chromium}), saves a screenshot of each beside it, and fails on anything the page
 * wrote to the console: a script error, a resource it could not load, a message of its own
 * (the report's pages write none). Chromium is found on PATH or in {@code $CHROMIUM}; where
 * there is none the check says SKIPPED and names the package, and passes.
 *
 * <p>Each page gets a fresh profile directory and at most {@link #BOUND}; whatever the
 * browser started is ended before the check returns ({@link ChildProcess}: its process tree,
 * and every process naming that directory, which no other process names).
 */
public final class BrowserCheck {
    /** The longest one page may take, start to screenshot; Chromium needs 2 to 3 s on an idle 2-core machine. */
    static final Duration BOUND = Duration.ofSeconds(60);
    /** Tall enough that the screenshot of report.html holds the litmus matrix and the cancellation plot below it. */
    static final int WIDTH = 1400, HEIGHT = 3200;

    /** What one page did: the console lines it wrote, and where its screenshot is (null if none was written). */
    public record Result(Path page, Path screenshot, List<String> console, String fault, long millis) {
        public boolean ok() {
            return fault == null && console.isEmpty() && screenshot != null;
        }
    }

    private BrowserCheck() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: BrowserCheck REPORT_DIR (checks report.html and compare.html there)");
            System.exit(2);
        }
        System.exit(run(Path.of(args[0]), System.out));
    }

    static int run(Path dir, PrintStream out) throws IOException {
        Path chromium = chromium();
        if (chromium == null) {
            out.println("SKIPPED: browser check: no chromium on PATH (Debian package chromium: apt-get install chromium)");
            return 0;
        }
        List<Path> pages = Stream.of(ReportWriter.HTML, ReportTool.COMPARE_HTML).map(dir::resolve).filter(Files::isRegularFile).toList();
        if (pages.isEmpty()) {
            out.println("error: browser check: neither " + ReportWriter.HTML + " nor " + ReportTool.COMPARE_HTML + " in " + dir);
            return 2;
        }
        int failed = 0;
        for (Path page : pages) {
            Path png = page.resolveSibling(page.getFileName().toString().replaceFirst("\\.html$", ".png"));
            Result r = check(chromium, page, png);
            if (r.ok()) {
                out.printf(Locale.ROOT, "  PASS   browser: %s in %d ms, no console message; screenshot %s%n", page.getFileName(), r.millis(), png);
            } else {
                failed++;
                out.printf(Locale.ROOT, "  FAIL   browser: %s: %s%n", page.getFileName(),
                        r.fault() != null ? r.fault() : r.screenshot() == null ? "no screenshot written" : r.console().size() + " console message(s)");
                r.console().forEach(l -> out.println("         " + l));
            }
        }
        return failed == 0 ? 0 : 1;
    }

    /** Chromium from {@code $CHROMIUM} or PATH (chromium, else google-chrome), or null. */
    static Path chromium() {
        String env = System.getenv("CHROMIUM");
        if (env != null && !env.isBlank()) return Files.isExecutable(Path.of(env)) ? Path.of(env) : null;
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            // Google's build where it is what a machine has (GitHub's runners); Ubuntu's
            // chromium-browser is a wrapper that installs a snap, so it is not asked for.
            for (String name : List.of("chromium", "google-chrome")) {
                Path p = Path.of(d.isEmpty() ? "." : d, name);
                if (Files.isExecutable(p)) return p;
            }
        }
        return null;
    }

    /** Loads {@code page} in a fresh headless Chromium, writes its screenshot to {@code png}, and collects its console lines. */
    static Result check(Path chromium, Path page, Path png) throws IOException {
        Path profile = Files.createTempDirectory("report-check-chromium-");
        Files.deleteIfExists(png);
        long t0 = System.nanoTime();
        String fault = null;
        String log = "";
        try {
            ChildProcess.Result r = ChildProcess.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--hide-scrollbars", "--user-data-dir=" + profile, "--window-size=" + WIDTH + "," + HEIGHT,
                            "--screenshot=" + png.toAbsolutePath(),
                            // The page's console reaches stderr as INFO:CONSOLE lines.
                            "--enable-logging=stderr", "--v=0", page.toAbsolutePath().toUri().toString())
                    .mergeStderr().bound(BOUND).alsoKill(() -> naming(profile)).run();
            log = r.out();
            if (r.timedOut()) fault = "no screenshot within " + BOUND.toSeconds() + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fault = "interrupted";
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        List<String> console = new ArrayList<>();
        for (String line : log.lines().toList()) {
            int at = line.indexOf(":CONSOLE");
            if (at >= 0) console.add(line.substring(line.indexOf(']', at) + 1).strip());
        }
        FileTrees.delete(profile);
        boolean shot = Files.isRegularFile(png) && Files.size(png) > 0;
        return new Result(page, shot ? png : null, console, fault, ms);
    }

    /**
     * The processes naming {@code profile}: a renderer or zygote the browser left behind may no
     * longer descend from it, and must end too before its profile directory can go.
     */
    private static List<ProcessHandle> naming(Path profile) {
        String mark = "--user-data-dir=" + profile;
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(mark)).orElse(false))
                .toList();
    }
}
