package org.ldmfiji.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file replaced all at once: the content goes to a hidden temporary file in the target's folder, is flushed to the
 * disk (fsync), and only then renamed over the target (rename(2) is atomic within a file system). A failure or a kill
 * at any moment leaves the previous target as it was; a failure also removes the temporary file (a kill -9 may leave
 * one behind, named {@code .NAME.*.ldm-part}). Only a regular file (or a link to one) is replaced: a device, pipe or
 * socket at the target is refused, not swapped for a file.
 */
final class AtomicFile {

	/** Writes the whole content; any IOException it throws aborts the replacement. */
	interface Content {
		void writeTo(OutputStream out) throws IOException;
	}

	static final String PART = ".ldm-part";

	private AtomicFile() {}

	static void write(Path target, Content content) throws IOException {
		writeAll(new Path[] {target}, new Content[] {content});
	}

	/**
	 * Several files replaced together (an image and its -std map): every content is written and flushed to its own
	 * temporary file before any target is replaced, so a full disk or a failure in any of them leaves every previous
	 * target as it was; only the renames, which need no room, come after.
	 */
	static void writeAll(Path[] targets, Content[] contents) throws IOException {
		Path[] parts = new Path[targets.length], finals = new Path[targets.length];
		int moved = 0;
		try {
			for (int i = 0; i < targets.length; i++) {
				try {
					finals[i] = replaced(targets[i]);
					parts[i] = writePart(finals[i], contents[i]);
				}
				catch (IOException e) {
					throw new Failed(targets[i], e);
				}
			}
			for (; moved < targets.length; moved++) {
				Files.move(parts[moved], finals[moved], StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
				syncFolder(finals[moved].toAbsolutePath().getParent());
			}
		}
		finally {
			for (int i = moved; i < targets.length; i++) if (parts[i] != null) Files.deleteIfExists(parts[i]);
		}
	}

	/** A write of several files that failed on one of them: {@link #target} names it. */
	static final class Failed extends IOException {
		final Path target;

		Failed(Path target, IOException cause) {
			super(cause.getMessage(), cause);
			this.target = target;
		}
	}

	/** The file a write to {@code target} replaces: the target, or what its link points to; never a device or pipe. */
	private static Path replaced(Path target) throws IOException {
		Path file = Files.isSymbolicLink(target) ? target.toRealPath() : target;
		if (Files.exists(file) && !Files.isRegularFile(file)) throw new IOException("not a regular file (a device, pipe "
			+ "or socket), so it is not replaced");
		return file;
	}

	/** The content in a new temporary file beside {@code file}, flushed to the disk; removed again if anything fails. */
	private static Path writePart(Path file, Content content) throws IOException {
		Path part = createPart(file.toAbsolutePath().getParent(), file.getFileName().toString());
		boolean done = false;
		try {
			try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
				OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
				content.writeTo(out);
				out.flush();
				channel.force(true);
			}
			keepPermissions(file, part);
			done = true;
			return part;
		}
		finally {
			if (!done) Files.deleteIfExists(part);
		}
	}

	/** A new empty file with the default permissions (createTempFile would make it owner-only). */
	private static Path createPart(Path folder, String name) throws IOException {
		for (int attempt = 0;; attempt++) {
			Path part = folder.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + PART);
			try {
				return Files.createFile(part);
			}
			catch (FileAlreadyExistsException e) {
				if (attempt > 10) throw e;
			}
		}
	}

	/** An overwritten file keeps its mode, as it would when written in place. */
	private static void keepPermissions(Path target, Path part) throws IOException {
		PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class,
			LinkOption.NOFOLLOW_LINKS);
		if (view == null || !Files.exists(target)) return;
		Files.setPosixFilePermissions(part, view.readAttributes().permissions());
	}

	/** The rename itself reaches the disk only with the folder's entry (fsync of the folder; not possible everywhere). */
	private static void syncFolder(Path folder) {
		try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
			dir.force(true);
		}
		catch (IOException | UnsupportedOperationException e) {
			// Windows and some file systems cannot open a folder; the file's own data is already on the disk
		}
	}
}
