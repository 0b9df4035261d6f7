package testbed.litmus.lang;

/** A place in a litmus file: 1-based line and column, as editors and compilers count them. */
public record Position(int line, int column) {
    @Override
    public String toString() {
        return line + ":" + column;
    }
}
