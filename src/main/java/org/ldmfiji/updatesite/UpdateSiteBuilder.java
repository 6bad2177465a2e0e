package org.ldmfiji.updatesite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.ldmfiji.model.Manifest;

/**
 * Lays out a Fiji update site folder: every file stored as {@code <path>-<timestamp>} at its path in the
 * application folder, plus {@code db.xml.gz} with one record per file. Run by {@code mvn package}
 * (exec-maven-plugin, execution {@code update-site}); see update-site/README.md.
 * <p>
 * A file's timestamp is its last-modified time in UTC (yyyyMMddHHmmss), so an unchanged input keeps its stored
 * name and is not copied again. The folder is regenerated: stored files of older builds are deleted, and no
 * previous-version records are kept (host the folder as a whole).
 * <p>
 * Arguments (each {@code --kind=<site path>=<local file or folder>}):
 * <pre>
 *   --out=&lt;folder&gt;
 *   --plugin=plugins/Name-1.0.jar=target/x.jar   the plugin jar; depends on every platform-independent --jar
 *   --jar=jars/foo-1.0.jar=/path/foo.jar         a library; jars/&lt;platform&gt;/ marks a platform
 *   --model=models/ldm/demo=models/demo          a bundle: model.json and the files it names
 * </pre>
 */
public final class UpdateSiteBuilder {

	private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

	static final String DESCRIPTION = "Latent diffusion models for Fiji and ImageJ: masked inpainting, x4 latent "
		+ "super-resolution and large-image tiled sampling, running TorchScript model bundles through DJL's PyTorch "
		+ "engine. Menu: Plugins > Latent Diffusion.";
	static final String LINK = "https://github.com/ldm-fiji/latent-diffusion-fiji";
	static final String AUTHOR = "Latent Diffusion for Fiji developers";

	private final Path out;
	private final Map<String, Path> plugins = new LinkedHashMap<>();
	private final Map<String, Path> jars = new LinkedHashMap<>();
	private final Map<String, Path> models = new LinkedHashMap<>();

	public UpdateSiteBuilder(Path out) {
		this.out = out;
	}

	public UpdateSiteBuilder plugin(String sitePath, Path file) {
		plugins.put(checkPath(sitePath, ".jar"), file);
		return this;
	}

	public UpdateSiteBuilder jar(String sitePath, Path file) {
		jars.put(checkPath(sitePath, ".jar"), file);
		return this;
	}

	/** A model bundle folder, installed under {@code sitePath} (e.g. models/ldm/demo). */
	public UpdateSiteBuilder model(String sitePath, Path bundle) {
		if (!sitePath.startsWith("models/"))
			throw new IllegalArgumentException("model bundles go under models/ (the updater tracks every file there): "
				+ sitePath);
		for (String file : bundleFiles(bundle))
			models.put(sitePath + "/" + file, bundle.resolve(file));
		return this;
	}

	/** model.json and every file it names, in a stable order. */
	static List<String> bundleFiles(Path bundle) {
		Manifest m = Manifest.read(bundle);
		Set<String> files = new java.util.TreeSet<>();
		files.add(Manifest.FILE_NAME);
		files.add(m.autoencoder.encoder.file);
		files.add(m.autoencoder.decoder.file);
		for (Manifest.DenoiserSpec d : m.denoisers.values()) {
			files.add(d.file.file);
			if (d.context != null) files.add(d.context.encoder.file);
		}
		for (String f : files)
			if (!Files.isRegularFile(bundle.resolve(f)))
				throw new IllegalArgumentException("bundle " + bundle + " names " + f + ", which is missing");
		return new ArrayList<>(files);
	}

	private static String checkPath(String sitePath, String suffix) {
		if (!sitePath.endsWith(suffix) || sitePath.startsWith("/") || sitePath.contains(".."))
			throw new IllegalArgumentException("site path '" + sitePath + "' must be relative and end in " + suffix);
		return sitePath;
	}

	/** Lays out the folder and returns the records written to db.xml.gz. */
	public List<SiteFile> build() {
		try {
			Files.createDirectories(out);
			List<SiteFile> records = new ArrayList<>();
			Map<String, SiteFile> libraries = new LinkedHashMap<>();
			for (Map.Entry<String, Path> e : jars.entrySet()) {
				SiteFile f = store(e.getKey(), e.getValue(), List.of(), null);
				libraries.put(e.getKey(), f);
			}
			List<SiteFile.Dependency> pluginDependencies = libraries.values().stream()
				.filter(f -> f.platforms.isEmpty()).map(f -> new SiteFile.Dependency(f.filename, f.timestamp))
				.collect(Collectors.toList());
			for (Map.Entry<String, Path> e : plugins.entrySet())
				records.add(store(e.getKey(), e.getValue(), pluginDependencies, DESCRIPTION));
			records.addAll(libraries.values());
			for (Map.Entry<String, Path> e : models.entrySet())
				records.add(store(e.getKey(), e.getValue(), List.of(), null));
			removeStale(records);
			DbXml.write(records, out.resolve(DbXml.FILE_NAME));
			return records;
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot lay out the update site in " + out + ": " + e.getMessage(), e);
		}
	}

	private SiteFile store(String sitePath, Path source, List<SiteFile.Dependency> dependencies, String description)
		throws IOException
	{
		if (!Files.isRegularFile(source)) throw new IllegalArgumentException(source + " (for " + sitePath
			+ ") does not exist: run 'mvn package' so the jar and dependencies are there");
		FileTime modified = Files.getLastModifiedTime(source);
		long timestamp = Long.parseLong(TIMESTAMP.format(Instant.ofEpochMilli(modified.toMillis())));
		long size = Files.size(source);
		String checksum = UpdaterChecksum.of(sitePath, source);
		List<String> platforms = Platforms.of(sitePath).map(List::of).orElse(List.of());
		SiteFile record = new SiteFile(sitePath, timestamp, checksum, size, platforms, description, dependencies,
			description == null ? List.of() : List.of(AUTHOR), description == null ? List.of() : List.of(LINK));
		Path stored = out.resolve(record.storedName());
		if (!(Files.isRegularFile(stored) && Files.size(stored) == size
			&& Files.getLastModifiedTime(stored).toMillis() == modified.toMillis()))
		{
			Files.createDirectories(stored.getParent());
			Path tmp = stored.resolveSibling(stored.getFileName() + ".part");
			Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
			Files.move(tmp, stored, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		return record;
	}

	/** Deletes stored files of earlier builds (any regular file that no record stores, except db.xml.gz). */
	private void removeStale(List<SiteFile> records) throws IOException {
		Set<Path> keep = new HashSet<>();
		keep.add(out.resolve(DbXml.FILE_NAME));
		for (SiteFile f : records) keep.add(out.resolve(f.storedName()));
		List<Path> stale;
		try (Stream<Path> all = Files.walk(out)) {
			stale = all.filter(Files::isRegularFile).filter(p -> !keep.contains(p)).collect(Collectors.toList());
		}
		for (Path p : stale) Files.delete(p);
	}

	public static void main(String... args) {
		Path out = null;
		List<String[]> entries = new ArrayList<>();
		for (String arg : args) {
			if (arg.startsWith("--out=")) {
				out = Paths.get(arg.substring(6));
				continue;
			}
			int eq = arg.indexOf('=');
			int eq2 = eq < 0 ? -1 : arg.indexOf('=', eq + 1);
			if (!arg.startsWith("--") || eq2 < 0) throw new IllegalArgumentException("bad argument '" + arg
				+ "': use --out=<folder>, --plugin=<site path>=<file>, --jar=<site path>=<file> or "
				+ "--model=<site path>=<bundle folder>");
			entries.add(new String[] { arg.substring(2, eq), arg.substring(eq + 1, eq2), arg.substring(eq2 + 1) });
		}
		if (out == null) throw new IllegalArgumentException("--out=<folder> is required");
		UpdateSiteBuilder builder = new UpdateSiteBuilder(out);
		for (String[] e : entries) {
			Path file = Paths.get(e[2]);
			switch (e[0]) {
				case "plugin": builder.plugin(e[1], file); break;
				case "jar": builder.jar(e[1], file); break;
				case "model": builder.model(e[1], file); break;
				default: throw new IllegalArgumentException("unknown kind --" + e[0] + ": use plugin, jar or model");
			}
		}
		List<SiteFile> records = builder.build();
		long bytes = records.stream().mapToLong(f -> f.filesize).sum();
		System.out.println("[update-site] " + records.size() + " files, " + (bytes >> 20) + " MiB in " + out);
		for (SiteFile f : records)
			System.out.println("[update-site]   " + f.storedName() + "  " + f.filesize + " B  sha1 " + f.checksum
				+ (f.platforms.isEmpty() ? "" : "  " + f.platforms));
	}
}
