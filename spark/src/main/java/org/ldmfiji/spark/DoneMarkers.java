package org.ldmfiji.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Restartable output: after a unit has written its output (atomically), it writes a marker holding the output's
 * SHA-256, also atomically (a temporary file moved into place). A unit is finished when its marker exists and the
 * output still hashes to it; a re-run skips finished units and redoes the rest (a crash between output and marker,
 * a truncated or replaced output).
 */
final class DoneMarkers {

	private DoneMarkers() {}

	static boolean finished(Path marker, Path output) {
		if (!Files.isRegularFile(marker) || !Files.isRegularFile(output)) return false;
		try {
			return new String(Files.readAllBytes(marker), StandardCharsets.US_ASCII).trim().equals(Hashes.sha256(output));
		}
		catch (IOException | UncheckedIOException e) {
			return false;
		}
	}

	static void mark(Path marker, Path output) {
		writeAtomically(marker, (Hashes.sha256(output) + "\n").getBytes(StandardCharsets.US_ASCII));
	}

	/** Writes the bytes to a temporary sibling and moves it into place: readers see the old file or the whole new one. */
	static void writeAtomically(Path target, byte[] bytes) {
		try {
			Files.createDirectories(target.toAbsolutePath().getParent());
			Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
			try {
				Files.write(tmp, bytes);
				move(tmp, target);
			}
			finally {
				Files.deleteIfExists(tmp);
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
		}
	}

	static void move(Path tmp, Path target) throws IOException {
		try {
			Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (AtomicMoveNotSupportedException e) {
			Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
		}
	}
}
