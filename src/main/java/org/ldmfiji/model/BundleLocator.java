package org.ldmfiji.model;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds model bundles by name in a list of models folders, or by path. The standard folders, in order:
 * the user's folders ({@code -Dldm.models} or {@code LDM_MODELS}, path-separated), the application's
 * {@code models/ldm/} (under Fiji's {@code -Dimagej.dir}, ImageJ 1.x's {@code -Dij.dir}, the parent of
 * {@code -Dplugins.dir}, and the application folders the caller passes, see {@link #standard(List)}), and the
 * repository's {@code models/}
 * (under {@code -Dldm.home}, else the working directory).
 */
public final class BundleLocator {

	public static final String DEFAULT_MODEL = "demo";

	private final List<Path> folders;

	public BundleLocator(List<Path> folders) {
		this.folders = List.copyOf(folders.stream().map(p -> p.toAbsolutePath().normalize()).distinct()
			.collect(java.util.stream.Collectors.toList()));
	}

	public static BundleLocator standard() {
		return standard(List.of());
	}

	/**
	 * The standard folders, with {@code <app>/models/ldm/} of each given application folder right after those
	 * named by system properties: the ImageJ 1.x shells pass the ImageJ folder, which a plain ImageJ started with
	 * {@code java -jar ij.jar} knows although no property names it.
	 */
	public static BundleLocator standard(List<Path> appFolders) {
		List<Path> folders = new ArrayList<>();
		addAll(folders, System.getProperty("ldm.models"));
		addAll(folders, System.getenv("LDM_MODELS"));
		for (String app : new String[] {System.getProperty("imagej.dir"), System.getProperty("ij.dir"),
			parent(System.getProperty("plugins.dir"))})
		{
			if (app != null) folders.add(Paths.get(app, "models", "ldm"));
		}
		for (Path app : appFolders) folders.add(app.resolve("models").resolve("ldm"));
		String home = System.getProperty("ldm.home");
		folders.add(home != null ? Paths.get(home, "models") : Paths.get("models"));
		return new BundleLocator(folders);
	}

	private static String parent(String dir) {
		if (dir == null) return null;
		Path parent = Paths.get(dir).toAbsolutePath().getParent();
		return parent == null ? null : parent.toString();
	}

	private static void addAll(List<Path> folders, String list) {
		if (list == null || list.isBlank()) return;
		for (String s : list.split(File.pathSeparator)) if (!s.isBlank()) folders.add(Paths.get(s.trim()));
	}

	public List<Path> folders() {
		return folders;
	}

	/**
	 * The bundle folder for a model name or path: a path to a bundle folder (or its model.json) is taken as is;
	 * a name is looked up in the folders, first match wins.
	 */
	public Path find(String nameOrPath) {
		if (nameOrPath == null || nameOrPath.isBlank()) nameOrPath = DEFAULT_MODEL;
		Path asPath = Paths.get(nameOrPath);
		if (asPath.getFileName() != null && asPath.getFileName().toString().equals(Manifest.FILE_NAME)
			&& Files.isRegularFile(asPath)) return asPath.toAbsolutePath().getParent();
		if (Files.isRegularFile(asPath.resolve(Manifest.FILE_NAME))) return asPath.toAbsolutePath();
		Path found = available().get(nameOrPath);
		if (found != null) return found;
		throw new BundleException("model '" + nameOrPath + "' not found. Looked for a folder with model.json at that "
			+ "path and by name in " + folders + "; available: " + available().keySet()
			+ ". Give a bundle folder's path, or put the bundle in one of those folders (or add yours with -Dldm.models).");
	}

	/** Every bundle in the folders, by folder name; earlier folders win. */
	public Map<String, Path> available() {
		Map<String, Path> found = new LinkedHashMap<>();
		for (Path folder : folders) {
			if (!Files.isDirectory(folder)) continue;
			try (Stream<Path> children = Files.list(folder)) {
				children.filter(c -> Files.isRegularFile(c.resolve(Manifest.FILE_NAME))).sorted()
					.forEach(c -> found.putIfAbsent(c.getFileName().toString(), c.toAbsolutePath()));
			}
			catch (IOException e) {
				// an unreadable folder holds no bundles we could use
			}
		}
		return found;
	}
}
