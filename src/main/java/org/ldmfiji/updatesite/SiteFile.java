package org.ldmfiji.updatesite;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One {@code <plugin>} record of an update site's {@code db.xml.gz}: a file of the application folder, its current
 * version (timestamp, checksum, size) and metadata. The file itself is stored on the site as
 * {@code filename-timestamp} (imagej-updater {@code FilesCollection.getURL}).
 */
public final class SiteFile {

	private static final Pattern TIMESTAMP = Pattern.compile("\\d{14}");
	private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

	/** A {@code <dependency>}: another file, at the version with this timestamp. */
	public static final class Dependency {
		public final String filename;
		public final long timestamp;

		public Dependency(String filename, long timestamp) {
			this.filename = Objects.requireNonNull(filename);
			this.timestamp = timestamp;
		}
	}

	public final String filename;
	/** yyyyMMddHHmmss, as the updater writes it. */
	public final long timestamp;
	public final String checksum;
	public final long filesize;
	public final List<String> platforms;
	public final String description;
	public final List<Dependency> dependencies;
	public final List<String> authors;
	public final List<String> links;

	public SiteFile(String filename, long timestamp, String checksum, long filesize, List<String> platforms,
		String description, List<Dependency> dependencies, List<String> authors, List<String> links)
	{
		if (filename.startsWith("/") || filename.contains("\\") || filename.contains(".."))
			throw new IllegalArgumentException("'" + filename + "' must be a relative path with '/' separators inside "
				+ "the application folder (e.g. jars/foo-1.0.jar)");
		if (!TIMESTAMP.matcher(Long.toString(timestamp)).matches())
			throw new IllegalArgumentException("timestamp " + timestamp + " of " + filename + " must be yyyyMMddHHmmss");
		if (!SHA1.matcher(checksum).matches())
			throw new IllegalArgumentException("checksum '" + checksum + "' of " + filename + " must be 40 lower-case hex digits");
		this.filename = filename;
		this.timestamp = timestamp;
		this.checksum = checksum;
		this.filesize = filesize;
		this.platforms = List.copyOf(platforms);
		this.description = description;
		this.dependencies = List.copyOf(dependencies);
		this.authors = List.copyOf(authors);
		this.links = List.copyOf(links);
	}

	/** The name under which the site stores this version: {@code filename-timestamp}. */
	public String storedName() {
		return filename + "-" + timestamp;
	}
}
