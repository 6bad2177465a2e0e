package org.ldmfiji.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/** The operating system's reason for a failed file operation, as the short phrase a user reads ("No space left on device"). */
final class IoReason {

	private IoReason() {}

	static String of(Throwable e) {
		IOException io = null;
		for (Throwable t = e; t != null; t = t.getCause()) if (t instanceof IOException) io = (IOException) t; // the deepest
		if (io == null) return String.valueOf(e.getMessage());
		if (io instanceof AccessDeniedException) return "Permission denied";
		if (io instanceof NoSuchFileException) return "No such file or folder";
		if (io instanceof NotDirectoryException) return "Not a folder";
		if (io instanceof FileAlreadyExistsException) return "a file of that name is in the way";
		if (io instanceof FileSystemException && ((FileSystemException) io).getReason() != null)
			return ((FileSystemException) io).getReason();
		return io.getMessage() != null ? io.getMessage() : io.getClass().getSimpleName();
	}

	/** "cannot write PATH: REASON (what to do)": one line for a write that failed. */
	static IllegalStateException cannotWrite(Path path, Throwable e) {
		String reason = of(e);
		String lower = reason.toLowerCase(java.util.Locale.ROOT);
		Path folder = path.toAbsolutePath().getParent();
		String hint = lower.contains("no space") || lower.contains("quota") ? "free space on " + folder
			+ ", or choose another --output" : lower.contains("read-only") || lower.contains("permission")
				? "choose a writable folder for --output" : "choose another --output";
		return new IllegalStateException("cannot write " + path + ": " + reason + " (" + hint + ")", e);
	}
}
