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
 * one behind, named {@code .NAME.*.ldm-part}).
 */
final class AtomicFile {

	/** Writes the whole content; any IOException it throws aborts the replacement. */
	interface Content {
		void writeTo(OutputStream out) throws IOException;
	}

	static final String PART = ".ldm-part";

	private AtomicFile() {}

	static void write(Path target, Content content) throws IOException {
		if (Files.isSymbolicLink(target)) target = target.toRealPath(); // replace what the link points to, keep the link
		Path folder = target.toAbsolutePath().getParent();
		Path part = createPart(folder, target.getFileName().toString());
		boolean moved = false;
		try {
			try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
				OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
				content.writeTo(out);
				out.flush();
				channel.force(true);
			}
			keepPermissions(target, part);
			Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			moved = true;
			syncFolder(folder);
		}
		finally {
			if (!moved) Files.deleteIfExists(part);
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
