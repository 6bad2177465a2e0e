package org.ldmfiji.updatesite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
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
 * End-to-end installation into a plain ImageJ 1.x: ij.jar and the update site's files as the updater installs them
 * for linux64, nothing else (no Fiji libraries: no ImgLib2, SciJava or JNA). ImageJ is started as a user starts it,
 * {@code java -jar ij.jar -batch macro.ijm} in the ImageJ folder, with no system property at all: the plugin must
 * find the demo model in {@code models/ldm/} and the native library in {@code jars/linux64/} on its own (DJL then
 * needs no network, so not even {@code -Dai.djl.offline=true} is set; the fresh DJL cache, given as the environment
 * variable DJL_CACHE_DIR only to keep the test apart from the machine's ~/.djl.ai, proves the library came from the
 * shipped jar). The macros run the three commands through {@code run(...)}, on a virtual stack too, and check that
 * an error stops the macro with one line.
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
	void engineStartsFromTheShippedNativeLibrary() throws Exception {
		// Also a built-in dialog command on a selection, saved: the harness path the LDM commands take.
		Path blurred = out.resolve("blurred.tif");
		String log = runMacro("engine", String.join("\n",
			"setBatchMode(true);",
			"newImage(\"x\", \"32-bit ramp\", 64, 48, 1);",
			"makeRectangle(8, 8, 16, 16);",
			"run(\"Gaussian Blur...\", \"sigma=3\");",
			"saveAs(\"Tiff\", \"" + blurred + "\");",
			"run(\"LDM Engine Info\");", // no options: the defaults, not a dialog no one could answer under -batch
			"print(\"LDM-DONE\");"), 180);
		assertTrue(log.contains("engine:  PyTorch 2.7.1"), "LDM Engine Info reports the PyTorch engine:\n" + tail(log));
		assertTrue(log.contains("native:  " + cache), "the native library is the one extracted into the fresh cache:\n"
			+ tail(log));
		assertTrue(log.contains("model:   demo") && log.contains(app.resolve("models/ldm/demo").toString()),
			"LDM Engine Info lists the demo model the site installed in the ImageJ folder:\n" + tail(log));
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
		Path inpaintIn = save(pattern(96, 80, 0), "inpaint-input.tif");
		Path srIn = save(pattern(32, 24, 0), "superres-input.tif");
		Path largeIn = save(pattern(160, 128, 0), "large-input.tif");
		Path virtualIn = saveStack(List.of(pattern(64, 48, 0), pattern(64, 48, 1)), "virtual-input.tif");
		int[] sel = { 32, 24, 24, 20 }; // x, y, w, h of the inpainting selection
		int[] vsel = { 20, 16, 12, 10 }; // the same on the virtual stack
		String macro = String.join("\n",
			"setBatchMode(true);",
			"open(\"" + inpaintIn + "\");",
			"makeRectangle(" + sel[0] + ", " + sel[1] + ", " + sel[2] + ", " + sel[3] + ");",
			"run(\"" + COMMANDS.get("inpaint") + "\", \"" + options("inpaint") + "\");",
			"saveAs(\"Tiff\", \"" + out.resolve("inpaint.tif") + "\");",
			"print(\"LDM-OK inpaint\");",
			"close(\"*\");",
			"open(\"" + srIn + "\");",
			"run(\"" + COMMANDS.get("superres") + "\", \"" + options("superres") + " consistency\");",
			"saveAs(\"Tiff\", \"" + out.resolve("superres.tif") + "\");",
			"print(\"LDM-OK superres\");",
			"close(\"*\");",
			"open(\"" + largeIn + "\");",
			"run(\"" + COMMANDS.get("large") + "\", \"" + options("large") + "\");",
			"saveAs(\"Tiff\", \"" + out.resolve("large.tif") + "\");",
			"print(\"LDM-OK large\");",
			"close(\"*\");",
			"run(\"TIFF Virtual Stack...\", \"open=[" + virtualIn + "]\");",
			"makeRectangle(" + vsel[0] + ", " + vsel[1] + ", " + vsel[2] + ", " + vsel[3] + ");",
			"run(\"" + COMMANDS.get("inpaint") + "\", \"" + options("inpaint") + " stack\");",
			"saveAs(\"Tiff\", \"" + out.resolve("inpaint-virtual.tif") + "\");",
			"print(\"LDM-OK virtual\");",
			"print(\"LDM-DONE\");");
		String log = runMacro("commands", macro, 540);
		for (String key : List.of("inpaint", "superres", "large", "virtual"))
			assertTrue(log.contains("LDM-OK " + key), key + " did not finish:\n" + tail(log));

		assertInpainted(IJ.openImage(inpaintIn.toString()), IJ.openImage(out.resolve("inpaint.tif").toString()), sel);
		ImagePlus virtualResult = IJ.openImage(out.resolve("inpaint-virtual.tif").toString());
		assertEquals(2, virtualResult.getStackSize(), "inpainting the virtual stack gives every plane");
		ImagePlus virtualSource = IJ.openImage(virtualIn.toString());
		for (int z = 1; z <= 2; z++)
			assertInpainted(plane(virtualSource, z), plane(virtualResult, z), vsel);

		ImagePlus sr = IJ.openImage(out.resolve("superres.tif").toString());
		assertEquals(4 * 32, sr.getWidth(), "x4 super-resolution width");
		assertEquals(4 * 24, sr.getHeight(), "x4 super-resolution height");
		assertFinite(pixels(sr), "super-resolution");
		double psnr = downsampledPsnr(pixels(IJ.openImage(srIn.toString())), pixels(sr), 32, 24);
		assertTrue(psnr >= 40, "with consistency, the x4 result area-downsampled by 4 reproduces the input: " + psnr + " dB");

		ImagePlus large = IJ.openImage(out.resolve("large.tif").toString());
		assertTrue(large.getWidth() >= 160 && large.getHeight() >= 128, "large-image result at least the input's size: "
			+ large.getWidth() + "x" + large.getHeight());
		assertFinite(pixels(large), "large-image sampling");
	}

	/** A missing model, or a virtual stack asked to be changed in place: the macro stops there, saying why. */
	@Test
	@Order(4)
	void errorsStopTheMacroWithOneLine() throws Exception {
		Path in = save(pattern(64, 48, 0), "error-input.tif");
		Path virtualIn = saveStack(List.of(pattern(64, 48, 0), pattern(64, 48, 1)), "error-virtual.tif");
		Path notSaved = out.resolve("must-not-exist.tif");
		String missing = runImageJ("missing-model", String.join("\n",
			"setBatchMode(true);",
			"open(\"" + in + "\");",
			"makeRectangle(20, 16, 12, 10);",
			"run(\"LDM Inpaint...\", \"model=no-such-model steps=2\");",
			"saveAs(\"Tiff\", \"" + notSaved + "\");",
			"print(\"LDM-CONTINUED\");"), 180);
		assertStopped(missing, "LDM Inpaint: model 'no-such-model' not found");
		assertTrue(missing.contains(app.resolve("models").resolve("ldm").toString()), "the message names the ImageJ "
			+ "models folder it searched:\n" + tail(missing));
		String virtual = runImageJ("virtual-in-place", String.join("\n",
			"setBatchMode(true);",
			"run(\"TIFF Virtual Stack...\", \"open=[" + virtualIn + "]\");",
			"makeRectangle(20, 16, 12, 10);",
			"run(\"LDM Inpaint...\", \"steps=2 stack inplace\");",
			"saveAs(\"Tiff\", \"" + notSaved + "\");",
			"print(\"LDM-CONTINUED\");"), 180);
		assertStopped(virtual, "virtual stack");
		assertFalse(Files.exists(notSaved), "a stopped macro saved an image");
	}

	/**
	 * A headless ImageJ 1.x builds no menus, so it reads no plugins.config and makes no plugin class loader: the
	 * README's command line puts the plugin and its jars on the class path, and the macro registers the commands
	 * first. The same command line and macro run with a display too, where the registration has nothing to do (it
	 * failed there with "no plugins.config with org.ldmfiji commands", an error dialog that held the -batch run).
	 */
	@Test
	@Order(5)
	void aHeadlessMacroRegistersTheCommandsAndRunsWithADisplayToo() throws Exception {
		Path in = save(pattern(64, 48, 0), "headless-input.tif");
		for (boolean headless : new boolean[] {true, false}) {
			Path result = out.resolve("headless-" + headless + ".tif");
			String log = runMacro("headless-" + headless, String.join("\n",
				"call(\"org.ldmfiji.ij1.HeadlessMenus.register\");",
				"open(\"" + in + "\");",
				"makeRectangle(20, 16, 12, 10);",
				"run(\"LDM Inpaint...\", \"steps=2 seed=1\");",
				"saveAs(\"Tiff\", \"" + result + "\");",
				"print(\"LDM-DONE\");"), 180, true, headless);
			assertTrue(Files.exists(result), (headless ? "headless" : "with a display") + ": no result\n" + tail(log));
			assertInpainted(IJ.openImage(in.toString()), IJ.openImage(result.toString()), new int[] {20, 16, 12, 10});
		}
	}

	private static void assertStopped(String log, String says) {
		assertFalse(log.contains("LDM-CONTINUED"), "the macro went on after the error:\n" + tail(log));
		long lines = log.lines().filter(l -> l.startsWith("LDM Inpaint: ") && l.contains(says)).count();
		assertEquals(1, lines, "one line 'LDM Inpaint: ...' saying '" + says + "':\n" + tail(log));
	}

	/** Far outside the selection (beyond grow and feather) bit-identical, inside changed. */
	private static void assertInpainted(ImagePlus before, ImagePlus after, int[] sel) {
		int w = before.getWidth(), h = before.getHeight();
		assertEquals(w, after.getWidth(), "inpainting keeps the width");
		assertEquals(h, after.getHeight(), "inpainting keeps the height");
		float[] in = pixels(before), res = pixels(after);
		int margin = 16; // room for grow/feather around the selection
		int changedInside = 0;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int i = y * w + x;
				boolean inside = x >= sel[0] && x < sel[0] + sel[2] && y >= sel[1] && y < sel[1] + sel[3];
				boolean far = x < sel[0] - margin || x >= sel[0] + sel[2] + margin || y < sel[1] - margin
					|| y >= sel[1] + sel[3] + margin;
				if (far) assertEquals(in[i], res[i], 0f, "inpainting changed pixel (" + x + "," + y + ") far outside the selection");
				if (inside && res[i] != in[i]) changedInside++;
			}
		assertTrue(changedInside > 0, "inpainting left the selection unchanged");
	}

	/** PSNR (dB, over the input's range) of the x4 result's 4x4 block means against the input. */
	private static double downsampledPsnr(float[] input, float[] x4, int w, int h) {
		double min = Double.MAX_VALUE, max = -Double.MAX_VALUE, se = 0;
		for (float v : input) {
			min = Math.min(min, v);
			max = Math.max(max, v);
		}
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double sum = 0;
				for (int dy = 0; dy < 4; dy++)
					for (int dx = 0; dx < 4; dx++) sum += x4[(4 * y + dy) * 4 * w + 4 * x + dx];
				double d = sum / 16 - input[y * w + x];
				se += d * d;
			}
		return 10 * Math.log10((max - min) * (max - min) / (se / (w * h)));
	}

	private static ImagePlus plane(ImagePlus imp, int z) {
		return new ImagePlus(imp.getTitle() + " " + z, imp.getStack().getProcessor(z));
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

	private static FloatProcessor pattern(int w, int h, int phase) {
		FloatProcessor fp = new FloatProcessor(w, h);
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				fp.setf(x, y, (float) (100 + 50 * Math.sin(x / 7.0 + phase) * Math.cos(y / 9.0) + 0.5 * x));
		return fp;
	}

	private static Path save(FloatProcessor fp, String name) {
		Path p = out.resolve(name);
		assertTrue(new FileSaver(new ImagePlus(name, fp)).saveAsTiff(p.toString()), "cannot write " + p);
		return p;
	}

	private static Path saveStack(List<FloatProcessor> planes, String name) {
		ImageStack stack = new ImageStack(planes.get(0).getWidth(), planes.get(0).getHeight());
		for (FloatProcessor fp : planes) stack.addSlice(fp);
		Path p = out.resolve(name);
		assertTrue(new FileSaver(new ImagePlus(name, stack)).saveAsTiffStack(p.toString()), "cannot write " + p);
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

	/** Runs a macro that must finish (print LDM-DONE) without any error; returns what ImageJ printed. */
	private static String runMacro(String name, String macro, int timeoutSeconds) throws Exception {
		return runMacro(name, macro, timeoutSeconds, false, false);
	}

	private static String runMacro(String name, String macro, int timeoutSeconds, boolean classPath, boolean headless)
		throws Exception
	{
		String log = runImageJ(name, macro, timeoutSeconds, classPath, headless);
		assertTrue(log.contains("LDM-DONE"), "the " + name + " macro stopped early:\n" + tail(log));
		assertFalse(log.contains("Macro Error"), "macro error:\n" + tail(log));
		// ImageJ 1.x catches a command's exception, prints it and lets the macro go on: any is a failure.
		assertFalse(log.contains("Exception") || log.contains("Error:"), "a command failed in ImageJ:\n" + tail(log));
		return log;
	}

	/**
	 * Starts ImageJ as a user does, {@code java -jar ij.jar -batch <macro>} in the ImageJ folder (ImageJ's own class
	 * loader then reads plugins/ and jars/), with no system property; under Xvfb when there is no display and
	 * xvfb-run exists (ImageJ 1.x builds its menus, which hold the plugins.config commands, only with a display).
	 */
	private static String runImageJ(String name, String macro, int timeoutSeconds) throws Exception {
		return runImageJ(name, macro, timeoutSeconds, false, false);
	}

	/**
	 * The same, or with the class path the README gives for a headless run ({@code java [-Djava.awt.headless=true]
	 * -cp "ij.jar:plugins/*:jars/*" ij.ImageJ -batch <macro>}), headless or not.
	 */
	private static String runImageJ(String name, String macro, int timeoutSeconds, boolean classPath, boolean headless)
		throws Exception
	{
		Path file = Files.createDirectories(app.resolve("macros")).resolve("ldm-" + name + ".ijm");
		Files.writeString(file, macro + "\n");
		List<String> cmd = new ArrayList<>();
		String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
		if (headless) cmd.addAll(List.of(java, "-Xmx2g", "-Djava.awt.headless=true"));
		else {
			boolean xvfb = System.getenv("DISPLAY") == null && onPath("xvfb-run");
			assertTrue(xvfb || System.getenv("DISPLAY") != null, "ImageJ 1.x builds its menus, and with them the "
				+ "plugin's commands, only with a display: install Xvfb (apt-get install xvfb) or set DISPLAY");
			if (xvfb) cmd.addAll(List.of("xvfb-run", "-a"));
			cmd.addAll(List.of(java, "-Xmx2g"));
		}
		if (classPath) cmd.addAll(List.of("-cp", "ij.jar" + File.pathSeparator + "plugins/*" + File.pathSeparator
			+ "jars/*", "ij.ImageJ", "-batch", file.toString()));
		else cmd.addAll(List.of("-jar", "ij.jar", "-batch", file.toString()));
		Path logFile = work.resolve("ldm-" + name + ".log");
		ProcessBuilder pb = new ProcessBuilder(cmd).directory(app.toFile()).redirectErrorStream(true)
			.redirectOutput(logFile.toFile());
		pb.environment().put("DJL_CACHE_DIR", cache.toString());
		pb.environment().remove("ENGINE_CACHE_DIR");
		pb.environment().remove("PYTORCH_LIBRARY_PATH");
		Process p = pb.start();
		boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
		if (!finished) p.destroyForcibly().waitFor();
		String log = Files.readString(logFile);
		assertTrue(finished, "ImageJ did not finish the " + name + " macro in " + timeoutSeconds + " s (a dialog "
			+ "waiting for an answer?):\n" + tail(log));
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
