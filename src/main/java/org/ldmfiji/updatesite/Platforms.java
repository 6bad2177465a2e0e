package org.ldmfiji.updatesite;

import java.util.List;
import java.util.Optional;

/**
 * The updater's platform names and how it assigns a file to one: a file under {@code jars/<platform>/} or
 * {@code lib/<platform>/} belongs to that platform (imagej-updater {@code Checksummer.guessPlatform},
 * {@code util.Platforms}).
 */
public final class Platforms {

	/** The platforms the updater knows (groups ending in "x" match every architecture of their system). */
	public static final List<String> KNOWN = List.of("linux32", "linux64", "linux-arm64", "linuxx", "macos64",
		"macos-arm64", "macosx", "win32", "win64", "win-arm64", "winx");

	private Platforms() {}

	/** The platform of a file by its path, or empty for a file every platform installs. */
	public static Optional<String> of(String filename) {
		String rest;
		if (filename.startsWith("jars/")) rest = filename.substring(5);
		else if (filename.startsWith("lib/")) rest = filename.substring(4);
		else return Optional.empty();
		int slash = rest.indexOf('/');
		if (slash < 0) return Optional.empty();
		String platform = rest.substring(0, slash);
		if (platform.equals("linux")) platform = "linux32";
		return KNOWN.contains(platform) ? Optional.of(platform) : Optional.empty();
	}
}
