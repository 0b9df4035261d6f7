# Summarises `go test -json` output: per package, one line per test (ok, FAIL
# or skip) with the output of every failed test, then the package's verdict;
# last a totals line. Writes "<passed> <failed>" to the file named by
# -v counts. -v rc is go test's exit status: a package that fails with no
# failed test (a build error, a crash outside any test) counts as one
# failure, and so does a non-zero status with no failure seen at all.
#
# test2json writes one JSON object per line, its string fields escaped, which
# is all the parsing below relies on.

function field(line, name,    re, s) {
	re = "\"" name "\":\"([^\"\\\\]|\\\\.)*\""
	if (!match(line, re)) return ""
	s = substr(line, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
	gsub(/\\n/, "\n", s); gsub(/\\t/, "\t", s); gsub(/\\"/, "\"", s)
	gsub(/\\u003c/, "<", s); gsub(/\\u003e/, ">", s); gsub(/\\u0026/, "\\&", s)
	gsub(/\\\\/, "\\", s)
	return s
}
function number(line, name) {
	if (!match(line, "\"" name "\":[0-9.]+")) return "?"
	return substr(line, RSTART + length(name) + 3, RLENGTH - length(name) - 3)
}
function say(pkg, text) { lines[pkg] = lines[pkg] text }
function flush(pkg) { printf "%s", lines[pkg]; delete lines[pkg] }
{
	action = field($0, "Action"); pkg = field($0, "Package"); test = field($0, "Test")
	short = pkg; sub(/^interop-testbed\/go-peer\//, "", short)
	if (action == "build-output") { build[field($0, "ImportPath")] = build[field($0, "ImportPath")] field($0, "Output"); next }
	if (action == "output") { out[pkg " " test] = out[pkg " " test] field($0, "Output"); next }
	if (test != "") {
		if (action == "pass") { passed++; say(pkg, sprintf("ok   %s %s (%ss)\n", short, test, number($0, "Elapsed"))) }
		else if (action == "skip") { skipped++; say(pkg, sprintf("skip %s %s\n", short, test)) }
		else if (action == "fail") {
			failed++; testfailed[pkg] = 1
			say(pkg, sprintf("FAIL %s %s (%ss)\n%s", short, test, number($0, "Elapsed"), out[pkg " " test]))
		}
		next
	}
	if (pkg == "") next
	if (action == "pass") { flush(pkg); printf "ok   %s\n", short }
	else if (action == "skip") { flush(pkg); printf "--   %s (no tests)\n", short }
	else if (action == "fail") {
		flush(pkg)
		if (!(pkg in testfailed)) {
			failed++
			printf "%s", out[pkg " "]
			fb = field($0, "FailedBuild"); if (fb != "") printf "%s", build[fb]
			printf "FAIL %s (no test failed: the package did)\n", short
		} else printf "FAIL %s\n", short
	}
}
END {
	for (p in lines) flush(p)
	if (rc != 0 && failed == 0) {
		failed = 1
		for (k in build) printf "%s", build[k]
		print "FAIL go test exited with status " rc " and reported no failed test"
	}
	printf "go: %d passed, %d failed", passed, failed
	if (skipped) printf ", %d skipped", skipped
	printf "\n"
	print (passed + 0) " " (failed + 0) > counts
}
