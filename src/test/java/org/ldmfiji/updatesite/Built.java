package org.ldmfiji.updatesite;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Paths of what {@code mvn package} built, passed to the integration tests by failsafe (see pom.xml). */
final class Built {

	private Built() {}

	static Path path(String property) {
		String value = System.getProperty(property);
		assertTrue(value != null && !value.isBlank(), "system property " + property + " is not set: run the integration "
			+ "tests through 'mvn verify' (failsafe passes the paths of the packaged jar and the update site)");
		Path p = Paths.get(value);
		assertTrue(Files.exists(p), p + " (" + property + ") does not exist: run 'mvn verify', which packages it first");
		return p;
	}

	static Path updateSite() {
		return path("ldm.updateSite");
	}

	static Path pluginJar() {
		return path("ldm.pluginJar");
	}
}
