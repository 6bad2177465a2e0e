package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small tmpfs mounted for one test: a real full disk (size=) or a real read-only file system (ro), which chmod cannot
 * give (root writes through any mode). Needs root, as CI runs; elsewhere the test is skipped.
 */
final class Tmpfs implements AutoCloseable {

	final Path dir;

	private Tmpfs(Path dir) {
		this.dir = dir;
	}

	static Tmpfs mount(Path dir, String options) throws IOException, InterruptedException {
		assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
		Files.createDirectories(dir);
		Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString())
			.redirectErrorStream(true).start();
		String said = new String(p.getInputStream().readAllBytes());
		assumeTrue(p.waitFor() == 0, "mount -t tmpfs failed: " + said);
		return new Tmpfs(dir);
	}

	/** Remounts with other options (e.g. ro after putting files there). */
	void remount(String options) throws IOException, InterruptedException {
		run("mount", "-o", "remount," + options, dir.toString());
	}

	@Override
	public void close() throws IOException, InterruptedException {
		run("umount", dir.toString());
	}

	private static void run(String... command) throws IOException, InterruptedException {
		Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
		String said = new String(p.getInputStream().readAllBytes());
		if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + ": " + said);
	}
}
