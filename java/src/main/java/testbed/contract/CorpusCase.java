package testbed.contract;

import com.google.protobuf.Message;

import java.nio.file.Path;

/**
 * One case of the wire-conformance corpus as Java reads it: NAME.txtpb parsed
 * into the message type its header names, and where its golden vector is.
 *
 * @param name    the file name without .txtpb
 * @param text    the description, NAME.txtpb
 * @param golden  the golden vector, NAME.binpb
 * @param messageName the full protobuf name from the "# proto-message:" header
 * @param exact   true for "# bytes: exact": every runtime's deterministic encoding
 *                equals the golden byte for byte; false for "semantic"
 * @param value   the description, parsed
 * @param source  the description's text, to name lines in errors
 */
record CorpusCase(String name, Path text, Path golden, String messageName, boolean exact, Message value, String source) {}
