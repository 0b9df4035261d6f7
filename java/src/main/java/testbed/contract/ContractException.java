package testbed.contract;

/**
 * A fault that stops a contract check, as one line that names the file (and the
 * line, or the byte of a binary file) it is about: "proto/x.proto:3:7: ...",
 * "proto/testdata/conformance/maps.binpb: byte 12: ...". Never a stack trace.
 */
public final class ContractException extends RuntimeException {
    public ContractException(String line) {
        super(line);
    }

    public ContractException(String line, Throwable cause) {
        super(line, cause);
    }
}
