package org.ldmfiji.updatesite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin jar that goes into Fiji: what it carries, what is relocated, and that nothing in it is also a class of
 * the libraries it expects from Fiji (the run-time class path minus what is shaded, written by the build to
 * target/fiji-provided.classpath; the same set the dependency-reduced POM declares).
 */
class PluginJarIT {

	/** Packages shaded and relocated, so that Fiji's own versions never meet DJL's. */
	private static final List<String> RELOCATED = List.of("com/google/gson/", "org/apache/commons/compress/");
	/** Packages Fiji provides and the jar must not carry (JNA binds its natives by name; slf4j is Fiji's logging). */
	private static final List<String> FROM_FIJI = List.of("com/sun/jna/", "org/slf4j/", "org/apache/commons/io/",
		"org/apache/commons/codec/", "org/scijava/", "net/imglib2/", "ij/");

	private static JarFile jar;
	private static Map<String, byte[]> classes;
	private static List<Path> fijiJars;

	@BeforeAll
	static void open() throws IOException {
		jar = new JarFile(Built.pluginJar().toFile());
		classes = new TreeMap<>();
		for (JarEntry e : Collections.list(jar.entries()))
			if (e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class"))
				classes.put(e.getName(), read(e));
		fijiJars = new ArrayList<>();
		for (String s : Files.readString(Built.path("ldm.fijiProvidedClasspath")).trim().split(File.pathSeparator))
			if (!s.isBlank()) fijiJars.add(Paths.get(s));
		System.out.printf("[plugin jar] %s: %.1f MiB, %d classes%n", Built.pluginJar().getFileName(),
			Files.size(Built.pluginJar()) / 1048576.0, classes.size());
	}

	@AfterAll
	static void close() throws IOException {
		jar.close();
	}

	private static byte[] read(JarEntry e) throws IOException {
		try (InputStream in = jar.getInputStream(e)) {
			return in.readAllBytes();
		}
	}

	@Test
	void pluginsConfigIsAtTheJarRoot() throws IOException {
		JarEntry entry = jar.getJarEntry("plugins.config");
		assertNotNull(entry, "plugins.config must be at the jar root for ImageJ 1.x");
		assertArrayEquals(Files.readAllBytes(Built.path("ldm.basedir").resolve("plugins.config")), read(entry),
			"the jar's plugins.config is the repository's top-level plugins.config");
	}

	@Test
	void sciJavaPluginIndexListsEveryAnnotatedClass() throws IOException {
		Set<String> annotated = new TreeSet<>();
		for (Map.Entry<String, byte[]> c : classes.entrySet())
			if (c.getKey().startsWith("org/ldmfiji/")
				&& new String(c.getValue(), StandardCharsets.ISO_8859_1).contains("Lorg/scijava/plugin/Plugin;"))
				annotated.add(c.getKey().replace('/', '.').replaceAll("\\.class$", ""));
		JarEntry index = jar.getJarEntry("META-INF/json/org.scijava.plugin.Plugin");
		Set<String> indexed = new TreeSet<>();
		if (index != null) {
			Matcher m = Pattern.compile("\"class\"\\s*:\\s*\"([^\"]+)\"").matcher(new String(read(index), StandardCharsets.UTF_8));
			while (m.find()) indexed.add(m.group(1));
		}
		assertEquals(annotated, indexed, "META-INF/json/org.scijava.plugin.Plugin (scijava-common's annotation "
			+ "processor) must list exactly the @Plugin classes, or SciJava will not find the commands");
	}

	@Test
	void djlIsShadedWithItsJniNamesAndServices() throws IOException {
		assertTrue(classes.containsKey("ai/djl/pytorch/jni/PyTorchLibrary.class"),
			"libdjl_torch binds ai.djl.pytorch.jni.PyTorchLibrary by JNI name: it must stay unrelocated");
		assertTrue(classes.containsKey("ai/djl/engine/Engine.class"), "DJL api is in the jar");
		assertNotNull(jar.getJarEntry("pytorch-engine.properties"), "DJL reads its engine version from this resource");
		String providers = new String(read(jar.getJarEntry("META-INF/services/ai.djl.engine.EngineProvider")),
			StandardCharsets.UTF_8);
		assertTrue(providers.contains("ai.djl.pytorch.engine.PtEngineProvider"), "merged service file: " + providers);
		for (JarEntry e : Collections.list(jar.entries())) {
			if (!e.getName().startsWith("META-INF/services/") || e.isDirectory()) continue;
			for (String line : new String(read(e), StandardCharsets.UTF_8).split("\n")) {
				String impl = line.replaceAll("#.*", "").trim();
				if (!impl.isEmpty()) assertTrue(classes.containsKey(impl.replace('.', '/') + ".class"),
					e.getName() + " names " + impl + ", which the jar lacks");
			}
		}
	}

	@Test
	void clashingLibrariesAreRelocatedAndFijisAreLeftOut() {
		for (String name : classes.keySet()) {
			for (String p : RELOCATED) assertTrue(!name.startsWith(p), name + " should be relocated under org/ldmfiji/shaded/");
			for (String p : FROM_FIJI) assertTrue(!name.startsWith(p), name + " comes from Fiji and must not be in the jar");
		}
		assertTrue(classes.containsKey("org/ldmfiji/shaded/gson/Gson.class"), "gson is shaded under org.ldmfiji.shaded");
		for (Map.Entry<String, byte[]> c : classes.entrySet()) {
			String text = new String(c.getValue(), StandardCharsets.ISO_8859_1);
			for (String p : RELOCATED)
				assertTrue(!text.contains(p), c.getKey() + " still refers to " + p + " (relocation missed it)");
		}
	}

	@Test
	void noClassIsAlsoInTheLibrariesFijiProvides() throws IOException {
		assertTrue(fijiJars.size() >= 3, "expected Fiji's libraries (scijava-common, imglib2, ij, ...): " + fijiJars);
		Map<String, List<String>> duplicates = new LinkedHashMap<>();
		for (Path fiji : fijiJars) {
			try (JarFile other = new JarFile(fiji.toFile())) {
				for (JarEntry e : Collections.list(other.entries()))
					if (classes.containsKey(e.getName()))
						duplicates.computeIfAbsent(fiji.getFileName().toString(), k -> new ArrayList<>()).add(e.getName());
			}
		}
		assertEquals(Map.of(), duplicates, "classes both in the plugin jar and in a library Fiji provides");
	}

	@Test
	void dependencyReducedPomDeclaresWhatComesFromFiji() throws IOException {
		String pom = Files.readString(Built.path("ldm.dependencyReducedPom"));
		Matcher m = Pattern.compile("<dependency>\\s*<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>")
			.matcher(pom);
		Set<String> declared = new TreeSet<>();
		while (m.find()) declared.add(m.group(2));
		Set<String> provided = new TreeSet<>();
		for (Path p : fijiJars) provided.add(p.getParent().getParent().getFileName().toString());
		for (String shaded : List.of("api", "pytorch-engine", "gson", "commons-compress"))
			assertTrue(!declared.contains(shaded), "the installed POM must not ask for shaded " + shaded);
		assertTrue(declared.containsAll(provided), "the installed POM declares every library taken from Fiji: "
			+ provided + " vs " + declared);
	}

	@Test
	void everyReferencedClassIsInTheJarInFijiOrInTheJdk() throws IOException {
		Set<String> fiji = new TreeSet<>();
		for (Path p : fijiJars)
			try (JarFile other = new JarFile(p.toFile())) {
				for (JarEntry e : Collections.list(other.entries())) fiji.add(e.getName());
			}
		Map<String, Set<String>> missing = new TreeMap<>();
		for (Map.Entry<String, byte[]> c : classes.entrySet()) {
			if (!c.getKey().startsWith("org/ldmfiji/") || c.getKey().startsWith("org/ldmfiji/shaded/")) continue;
			for (String ref : ClassRefs.of(c.getValue())) {
				String file = ref + ".class";
				if (classes.containsKey(file) || fiji.contains(file) || ClassLoader.getPlatformClassLoader().getResource(file) != null)
					continue;
				missing.computeIfAbsent(ref, k -> new TreeSet<>()).add(c.getKey());
			}
		}
		assertEquals(Map.of(), missing, "classes the plugin's code needs that neither the jar, Fiji's libraries nor the JDK have");
	}
	/**
	 * A plain ImageJ 1.x has neither ImgLib2 nor SciJava: no class of this project that the ImageJ 1.x commands may
	 * load (those their code refers to, transitively) may mention them, not even in a method signature, which the
	 * JVM's verifier resolves when it loads the class (a NoClassDefFoundError the user would see).
	 */
	@Test
	void theImageJ1CommandsNeedNeitherImgLib2NorSciJava() throws IOException {
		java.util.Deque<String> todo = new java.util.ArrayDeque<>();
		Set<String> reached = new TreeSet<>();
		for (String c : classes.keySet()) if (c.startsWith("org/ldmfiji/ij1/")) todo.add(c);
		Map<String, String> offending = new TreeMap<>();
		while (!todo.isEmpty()) {
			String c = todo.pop();
			if (!reached.add(c)) continue;
			String text = new String(classes.get(c), java.nio.charset.StandardCharsets.ISO_8859_1);
			for (String p : List.of("net/imglib2/", "org/scijava/")) if (text.contains(p)) offending.put(c, p);
			for (String ref : ClassRefs.of(classes.get(c))) {
				String file = ref + ".class";
				if (ref.startsWith("org/ldmfiji/") && !ref.startsWith("org/ldmfiji/shaded/") && classes.containsKey(file)) todo.add(file);
			}
		}
		assertTrue(reached.size() > 20, "the ImageJ 1.x commands reach the task classes: " + reached);
		assertEquals(Map.of(), offending, "classes on the ImageJ 1.x commands' path that mention a library plain ImageJ lacks");
	}
}
