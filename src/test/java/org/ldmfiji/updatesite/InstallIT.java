package org.ldmfiji.updatesite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.FloatProcessor;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * End-to-end installation: from the update site folder alone (plus ImageJ 1.x's ij.jar and the libraries the plugin
 * jar declares it takes from Fiji), lay out a fresh application folder as the updater would for linux64, start
 * ImageJ 1.x in batch mode in a separate JVM with nothing downloadable (ai.djl.offline, an unreachable proxy, an
 * empty DJL cache and user home) and run macros through {@code run(...)}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstallIT {

	static final String PLATFORM = "linux64";
	/** The three commands and the macro options they run with (override: -Dldm.install.options.inpaint=...). */
	static final Map<String, String> COMMANDS = new LinkedHashMap<>();
	static {
		COMMANDS.put("inpaint", "LDM Inpaint...");
		COMMANDS.put("superres", "LDM Super-Resolution...");
		COMMANDS.put("large", "LDM Large Image Sampling...");
	}
	static final String DEFAULT_OPTIONS = "model=demo steps=4 seed=1";

	private static Path work, app, out, cache;
	private static List<SiteFile> installed;
	private static List<Path> fijiBase;

	@BeforeAll
	static void layOutApplicationFolder() throws IOException {
		Path site = Built.updateSite();
		work = Paths.get(System.getProperty("ldm.workDir", "target/install-test")).toAbsolutePath();
		deleteRecursively(work);
		app = Files.createDirectories(work.resolve("ImageJ.app"));
		out = Files.createDirectories(work.resolve("out"));
		cache = work.resolve("djl-cache");
		installed = new ArrayList<>();
		for (SiteFile f : DbXml.read(DbXml.uncompressed(site.resolve(DbXml.FILE_NAME)), false)) {
			if (!f.platforms.isEmpty() && !f.platforms.contains(PLATFORM)) continue;
			link(site.resolve(f.storedName()), app.resolve(f.filename));
			installed.add(f);
		}
		link(Built.path("ldm.ijJar"), app.resolve("ij.jar"));
		// Fiji's own libraries that the plugin jar needs (its dependency-reduced POM): Fiji ships them, plain
		// ImageJ 1.x does not, so they stand in for the Fiji base here.
		fijiBase = new ArrayList<>();
		for (String s : Files.readString(Built.path("ldm.fijiProvidedClasspath")).trim().split(File.pathSeparator)) {
			Path jar = Paths.get(s);
			if (jar.getFileName().toString().startsWith("ij-")) continue; // ij.jar is the application itself
			Path target = app.resolve("jars").resolve(jar.getFileName());
			link(jar, target);
			fijiBase.add(target);
		}
	}

	/** A hard link where the file system allows one (the native jar is 100+ MB), else a copy. */
	private static void link(Path source, Path target) throws IOException {
		Files.createDirectories(target.getParent());
		try {
			Files.createLink(target, source.toRealPath());
		}
		catch (IOException | UnsupportedOperationException e) {
			Files.copy(source, target);
		}
	}

	private static void deleteRecursively(Path p) throws IOException {
		if (!Files.exists(p)) return;
		try (Stream<Path> all = Files.walk(p)) {
			for (Path q : all.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) Files.delete(q);
		}
	}

	@Test
	@Order(1)
	void installedFilesAreWhatTheSiteRecords() {
		assertTrue(installed.stream().anyMatch(f -> f.filename.startsWith("plugins/")), "the plugin jar is installed");
		assertTrue(installed.stream().anyMatch(f -> f.platforms.contains(PLATFORM)), "the linux64 native jar is installed");
		assertTrue(Files.isRegularFile(app.resolve("models/ldm/demo/model.json")), "the demo bundle is installed");
		for (SiteFile f : installed)
			assertEquals(f.checksum, UpdaterChecksum.of(f.filename, app.resolve(f.filename)),
				f.filename + ": the installed file has the checksum the updater will verify");
	}

	@Test
	@Order(2)
	void engineStartsOfflineFromTheShippedNativeLibrary() throws Exception {
		// Also a built-in dialog command on a selection, saved: the harness path the LDM commands take.
		Path blurred = out.resolve("blurred.tif");
		String log = runMacro("engine", String.join("\n",
			"print(\"LDM-ENGINE \" + call(\"org.ldmfiji.model.TorchRuntime.describe\"));",
			"setBatchMode(true);",
			"newImage(\"x\", \"32-bit ramp\", 64, 48, 1);",
			"makeRectangle(8, 8, 16, 16);",
			"run(\"Gaussian Blur...\", \"sigma=3\");",
			"saveAs(\"Tiff\", \"" + blurred + "\");",
			"print(\"LDM-DONE\");"), 180);
		assertTrue(log.contains("LDM-ENGINE PyTorch 2.7.1"), "the macro should report the PyTorch engine:\n" + tail(log));
		try (Stream<Path> files = Files.walk(cache)) {
			assertTrue(files.anyMatch(p -> p.getFileName().toString().equals("libtorch_cpu.so")),
				"libtorch came from the shipped jars/linux64 jar into the fresh DJL cache " + cache);
		}
		ImagePlus b = IJ.openImage(blurred.toString());
		assertEquals(64, b.getWidth(), "the dialog command ran and its result was saved");
	}

	@Test
	@Order(3)
	void ldmCommandsRunFromMacros() throws Exception {
		List<String> labels = installedMenuLabels();
		boolean hasIj1 = pluginJarHas("org/ldmfiji/ij1/");
		Assumptions.assumeTrue(hasIj1 || COMMANDS.values().stream().anyMatch(labels::contains),
			"NOT RUN: the plugin jar has no ImageJ 1.x commands yet (no org/ldmfiji/ij1 classes, plugins.config "
				+ "lists " + labels + ")");
		for (String label : COMMANDS.values())
			assertTrue(labels.contains(label), "plugins.config must offer '" + label + "' (it lists " + labels + ")");

		// Inputs: smooth float images (any model must keep pixels outside the selection bit for bit).
		Path inpaintIn = save(pattern(96, 80), "inpaint-input.tif");
		Path srIn = save(pattern(32, 24), "superres-input.tif");
		Path largeIn = save(pattern(160, 128), "large-input.tif");
		int[] sel = { 32, 24, 24, 20 }; // x, y, w, h of the inpainting selection
		String macro = String.join("\n",
			"setBatchMode(true);",
			"open(\"" + inpaintIn + "\");",
			"makeRectangle(" + sel[0] + ", " + sel[1] + ", " + sel[2] + ", " + sel[3] + ");",
			"run(\"" + COMMANDS.get("inpaint") + "\", \"" + options("inpaint") + "\");",
			"saveAs(\"Tiff\", \"" + out.resolve("inpaint.tif") + "\");",
			"print(\"LDM-OK inpaint\");",
			"close(\"*\");",
			"open(\"" + srIn + "\");",
			"run(\"" + COMMANDS.get("superres") + "\", \"" + options("superres") + "\");",
			"saveAs(\"Tiff\", \"" + out.resolve("superres.tif") + "\");",
			"print(\"LDM-OK superres\");",
			"close(\"*\");",
			"open(\"" + largeIn + "\");",
			"run(\"" + COMMANDS.get("large") + "\", \"" + options("large") + "\");",
			"saveAs(\"Tiff\", \"" + out.resolve("large.tif") + "\");",
			"print(\"LDM-OK large\");",
			"print(\"LDM-DONE\");");
		String log = runMacro("commands", macro, 540);
		for (String key : COMMANDS.keySet())
			assertTrue(log.contains("LDM-OK " + key), COMMANDS.get(key) + " did not finish:\n" + tail(log));

		float[] in = pixels(IJ.openImage(inpaintIn.toString()));
		ImagePlus inpainted = IJ.openImage(out.resolve("inpaint.tif").toString());
		assertEquals(96, inpainted.getWidth(), "inpainting keeps the width");
		assertEquals(80, inpainted.getHeight(), "inpainting keeps the height");
		float[] res = pixels(inpainted);
		int margin = 16; // room for grow/feather around the selection
		int changedInside = 0;
		for (int y = 0; y < 80; y++)
			for (int x = 0; x < 96; x++) {
				int i = y * 96 + x;
				boolean inside = x >= sel[0] && x < sel[0] + sel[2] && y >= sel[1] && y < sel[1] + sel[3];
				boolean far = x < sel[0] - margin || x >= sel[0] + sel[2] + margin || y < sel[1] - margin
					|| y >= sel[1] + sel[3] + margin;
				if (far) assertEquals(in[i], res[i], 0f, "inpainting changed pixel (" + x + "," + y + ") far outside the selection");
				if (inside && res[i] != in[i]) changedInside++;
			}
		assertTrue(changedInside > 0, "inpainting left the selection unchanged");

		ImagePlus sr = IJ.openImage(out.resolve("superres.tif").toString());
		assertEquals(4 * 32, sr.getWidth(), "x4 super-resolution width");
		assertEquals(4 * 24, sr.getHeight(), "x4 super-resolution height");
		assertFinite(pixels(sr), "super-resolution");

		ImagePlus large = IJ.openImage(out.resolve("large.tif").toString());
		assertTrue(large.getWidth() >= 160 && large.getHeight() >= 128, "large-image result at least the input's size: "
			+ large.getWidth() + "x" + large.getHeight());
		assertFinite(pixels(large), "large-image sampling");
	}

	private static String options(String key) {
		return System.getProperty("ldm.install.options." + key, DEFAULT_OPTIONS);
	}

	private static void assertFinite(float[] values, String what) {
		for (float v : values) assertTrue(Float.isFinite(v), what + " produced a non-finite value");
	}

	private static float[] pixels(ImagePlus imp) {
		return (float[]) imp.getProcessor().convertToFloatProcessor().getPixels();
	}

	private static FloatProcessor pattern(int w, int h) {
		FloatProcessor fp = new FloatProcessor(w, h);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				fp.setf(x, y, (float) (100 + 50 * Math.sin(x / 7.0) * Math.cos(y / 9.0) + 0.5 * x));
		return fp;
	}

	private static Path save(FloatProcessor fp, String name) {
		Path p = out.resolve(name);
		assertTrue(new FileSaver(new ImagePlus(name, fp)).saveAsTiff(p.toString()), "cannot write " + p);
		return p;
	}

	private static List<String> installedMenuLabels() throws IOException {
		List<String> labels = new ArrayList<>();
		Path jar = pluginJarPath();
		try (JarFile j = new JarFile(jar.toFile())) {
			JarEntry e = j.getJarEntry("plugins.config");
			if (e == null) return labels;
			try (InputStream in = j.getInputStream(e)) {
				for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
					line = line.trim();
					if (line.startsWith("#") || line.isEmpty()) continue;
					int q1 = line.indexOf('"'), q2 = line.indexOf('"', q1 + 1);
					if (q1 >= 0 && q2 > q1) labels.add(line.substring(q1 + 1, q2));
				}
			}
		}
		return labels;
	}

	private static boolean pluginJarHas(String prefix) throws IOException {
		try (JarFile j = new JarFile(pluginJarPath().toFile())) {
			return Collections.list(j.entries()).stream().anyMatch(e -> e.getName().startsWith(prefix));
		}
	}

	private static Path pluginJarPath() {
		return installed.stream().filter(f -> f.filename.startsWith("plugins/")).map(f -> app.resolve(f.filename))
			.findFirst().orElseThrow(() -> new AssertionError("no plugin jar installed"));
	}

	/**
	 * Runs a macro with ImageJ 1.x's {@code -batch} in a fresh JVM whose class path is what Fiji's launcher puts
	 * there (jars/ and jars/linux64/), plugins/ read by ImageJ itself. Under Xvfb when there is no display and
	 * xvfb-run exists (ImageJ 1.x dialogs need AWT even in macro mode), else headless.
	 */
	private static String runMacro(String name, String macro, int timeoutSeconds) throws Exception {
		Path file = Files.createDirectories(app.resolve("macros")).resolve("ldm-" + name + ".ijm");
		Files.writeString(file, macro + "\n");
		Path home = Files.createDirectories(work.resolve("home"));
		List<String> classPath = new ArrayList<>();
		classPath.add(app.resolve("ij.jar").toString());
		for (String dir : List.of("jars", "jars/" + PLATFORM)) {
			Path d = app.resolve(dir);
			if (!Files.isDirectory(d)) continue;
			try (Stream<Path> jars = Files.list(d)) {
				jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> classPath.add(p.toString()));
			}
		}
		List<String> cmd = new ArrayList<>();
		boolean xvfb = System.getenv("DISPLAY") == null && onPath("xvfb-run");
		assertTrue(xvfb || System.getenv("DISPLAY") != null, "ImageJ 1.x commands open their dialogs through AWT "
			+ "even in macro mode, which a headless JVM refuses: install Xvfb (apt-get install xvfb) or set DISPLAY");
		if (xvfb) cmd.addAll(List.of("xvfb-run", "-a"));
		cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
		cmd.addAll(List.of("-Xmx4g", "-Djava.awt.headless=" + !xvfb, "-Dai.djl.offline=true",
			"-DDJL_CACHE_DIR=" + cache, "-Duser.home=" + home, "-Dplugins.dir=" + app, "-Dimagej.dir=" + app,
			"-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=9", "-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=9",
			"-cp", String.join(File.pathSeparator, classPath), "ij.ImageJ", "-ijpath", app.toString(), "-batch",
			file.toString()));
		Path logFile = work.resolve("ldm-" + name + ".log");
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(app.toFile()).redirectErrorStream(true)
			.redirectOutput(logFile.toFile());
		pb.environment().remove("PYTORCH_LIBRARY_PATH");
		pb.environment().remove("DJL_CACHE_DIR");
		pb.environment().remove("ENGINE_CACHE_DIR");
		Process p = pb.start();
		boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
		if (!finished) p.destroyForcibly().waitFor();
		String log = Files.readString(logFile);
		assertTrue(finished, "ImageJ did not finish the " + name + " macro in " + timeoutSeconds + " s:\n" + tail(log));
		assertTrue(log.contains("LDM-DONE"), "the " + name + " macro stopped early (exit " + p.exitValue() + "):\n" + tail(log));
		assertFalse(log.contains("Macro Error"), "macro error:\n" + tail(log));
		// ImageJ 1.x catches a command's exception, prints it and lets the macro go on: any is a failure.
		assertFalse(log.contains("Exception") || log.contains("Error:"), "a command failed in ImageJ:\n" + tail(log));
		return log;
	}

	private static boolean onPath(String program) {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
			if (Files.isExecutable(Paths.get(dir, program))) return true;
		return false;
	}

	private static String tail(String log) {
		return log.length() <= 6000 ? log : "..." + log.substring(log.length() - 6000);
	}
}
