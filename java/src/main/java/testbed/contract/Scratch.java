package testbed.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * A temporary directory that is removed, with everything in it, on close: the
 * copies of schemas that buf checks, and the bytes exchanged with the Go side.
 */
final class Scratch implements AutoCloseable {
    private final Path dir;

    Scratch(String purpose) {
        try {
            dir = Files.createTempDirectory("interop-contract-" + purpose + "-");
        } catch (IOException e) {
            throw new ContractException("cannot create a temporary directory: " + e.getMessage());
        }
    }

    Path dir() {
        return dir;
    }

    Path resolve(String name) {
        return dir.resolve(name);
    }

    /**
     * Copies a schema directory's .proto files and buf.yaml under {@code target},
     * keeping their relative paths and leaving out testdata/ (fixtures, goldens)
     * and any other file. When the source has no buf.yaml, {@code config} is
     * written in its place, so that a copy is always checked by the project's rules.
     */
    static void copySchema(Path source, Path target, Path config) {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path rel = source.relativize(f);
                if (rel.getNameCount() > 0 && rel.getName(0).toString().equals("testdata")) continue;
                if (!Files.isRegularFile(f)) continue;
                String name = f.getFileName().toString();
                if (!name.endsWith(".proto") && !(rel.getNameCount() == 1 && name.equals("buf.yaml"))) continue;
                Path to = target.resolve(rel.toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
            Files.createDirectories(target);
            if (!Files.exists(target.resolve("buf.yaml"))) Files.copy(config, target.resolve("buf.yaml"));
        } catch (IOException e) {
            throw new ContractException(source + ": cannot copy the schema: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (!Files.exists(dir)) return;
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
