package org.ldmfiji.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/** The bundle the runtime tests load: models/demo (override with -Dldm.test.bundle=DIR). */
public final class TestBundles {

	private TestBundles() {}

	public static Path demo() {
		String override = System.getProperty("ldm.test.bundle");
		if (override != null) return Paths.get(override);
		String models = System.getProperty("ldm.models", "models");
		return Paths.get(models, BundleLocator.DEFAULT_MODEL);
	}

	/** A writable copy of a bundle folder (files only). */
	public static Path copy(Path bundle, Path target) throws IOException {
		Files.createDirectories(target);
		try (Stream<Path> files = Files.list(bundle)) {
			for (Path f : (Iterable<Path>) files::iterator)
				if (Files.isRegularFile(f)) Files.copy(f, target.resolve(f.getFileName()));
		}
		return target;
	}
}
