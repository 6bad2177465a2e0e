package org.ldmfiji.ij1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.Menus;
import ij.WindowManager;
import ij.io.FileSaver;
import ij.plugin.PlugIn;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldmfiji.task.TestImages;

import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * (Each macro checks {@code nImages} before {@code getTitle()}: with no image open, ImageJ's {@code IJ.getImage()}
 * calls {@code System.exit(0)} in a JVM without an ImageJ window, which would end the test run.)
 * <p>
 * The ImageJ 1.x entry points as a user's macro runs them: plain ij.jar, headless JVM (surefire sets
 * java.awt.headless=true), batch mode, the commands found by their plugins.config labels through ImageJ's own
 * command table ({@link HeadlessMenus}), no Fiji and no SciJava.
 */
class MacroTest {

	@BeforeAll
	static void registerCommands() throws Exception {
		assertTrue(GraphicsEnvironment.isHeadless(), "this test is about headless ImageJ 1.x");
		assertEquals(4, HeadlessMenus.register(Paths.get("plugins.config")), "commands in the repository's plugins.config");
	}

	@Test
	void pluginsConfigLabelsAreImageJCommands() {
		assertEquals(InpaintPlugin.class.getName(), Menus.getCommands().get("LDM Inpaint..."));
		assertEquals(SuperResolutionPlugin.class.getName(), Menus.getCommands().get("LDM Super-Resolution..."));
		assertEquals(LargeImageSamplingPlugin.class.getName(), Menus.getCommands().get("LDM Large Image Sampling..."));
		assertEquals(EngineInfoPlugin.class.getName(), Menus.getCommands().get("LDM Engine Info"));
	}

	@Test
	void engineInfoFromAMacroCanForceTheCpu() {
		try {
			String result = IJ.runMacro("run('LDM Engine Info', 'cpu'); return 'ok';");
			assertEquals("ok", result);
			assertEquals(org.ldmfiji.model.TorchRuntime.DevicePreference.CPU, org.ldmfiji.model.TorchRuntime.preference());
		}
		finally {
			System.clearProperty(org.ldmfiji.model.TorchRuntime.DEVICE_PROPERTY);
		}
	}

	@Test
	void inpaintAndSuperResolutionRunFromAMacro(@TempDir Path dir) {
		ImagePlus source = TestImages.image("cells", 16, 80, 72, 1);
		Path in = dir.resolve("cells.tif"), inpainted = dir.resolve("inpainted.tif"), x4 = dir.resolve("x4.tif");
		assertTrue(new FileSaver(source).saveAsTiff(in.toString()));
		String result = IJ.runMacro(String.join("\n",
			"setBatchMode(true);",
			"open('" + in + "');",
			"makeRectangle(30, 28, 12, 9);",
			"run('LDM Inpaint...', 'steps=4 seed=1 sampler=ddim grow=2 feather=3 context=16');",
			"if (nImages == 0) return 'LDM Inpaint made no image';",
			"inpaintedTitle = getTitle();",
			"info = getMetadata('Info');",
			"saveAs('Tiff', '" + inpainted + "');",
			"close('*');",
			"newImage('small', '32-bit ramp', 13, 10, 1);",
			"run('LDM Super-Resolution...', 'steps=4 seed=1 sampler=ddim consistency');",
			"if (nImages == 0) return 'LDM Super-Resolution made no image';",
			"srTitle = getTitle();",
			"saveAs('Tiff', '" + x4 + "');",
			"return inpaintedTitle + '|' + srTitle + '|' + (indexOf(info, 'seed: 1') >= 0);"));
		assertEquals("cells-inpainted|small-x4|1", result, "titles and provenance seen by the macro");

		ImagePlus out = IJ.openImage(inpainted.toString());
		assertEquals(16, out.getBitDepth());
		int[] before = TestImages.bits(source)[0], after = TestImages.bits(out)[0];
		TestImages.assertFilledInsideOnly(before, after, TestImages.rect(80, 72, 30, 28, 12, 9), 80, 2);

		ImagePlus sr = IJ.openImage(x4.toString());
		assertEquals(52, sr.getWidth());
		assertEquals(40, sr.getHeight());
		assertEquals(32, sr.getBitDepth());
	}

	/** The recipe for users' headless scripts: the macro registers the commands from the plugin jar itself. */
	@Test
	void aHeadlessMacroRegistersTheCommandsFromTheJarsPluginsConfig() {
		assertTrue(MacroTest.class.getClassLoader().getResource("plugins.config") != null,
			"the build copies plugins.config to the class path (and the jar root)");
		assertEquals("4|LDM sample natural seed 2", IJ.runMacro(String.join("\n",
			"n = call('org.ldmfiji.ij1.HeadlessMenus.register');",
			"setBatchMode(true);",
			"run('LDM Large Image Sampling...', 'width=16 height=16 label=natural steps=2 seed=2 sampler=ddim');",
			"if (nImages == 0) return 'no image';",
			"return n + '|' + getTitle();")));
	}

	@Test
	void largeImageSamplingRunsFromAMacro() {
		String result = IJ.runMacro(String.join("\n",
			"setBatchMode(true);",
			"run('LDM Large Image Sampling...', 'width=36 height=20 label=histology guidance=2 steps=2 seed=4 sampler=ddim type=32-bit');",
			"if (nImages == 0) return 'no image';",
			"return getTitle() + '|' + getWidth() + 'x' + getHeight() + '|' + bitDepth();"));
		assertEquals("LDM sample histology seed 4|36x20|32", result);
	}

	/**
	 * Issue #17: the macro fails on the current image, and must neither change it nor save anything. The image is the
	 * one the macro works on (the thread's current image), so a command that wrote into it before failing is caught.
	 */
	@Test
	void aFailingCommandStopsTheMacroWithOneLineAndChangesNothing(@TempDir Path dir) {
		ImagePlus source = TestImages.image("plain", 8, 64, 64, 2);
		int[][] before = TestImages.bits(source);
		Path saved = dir.resolve("result.tif");
		Printed<String> run;
		WindowManager.setTempCurrentImage(source);
		try {
			run = Printed.during(() -> IJ.runMacro(String.join("\n",
				"setBatchMode(true);",
				"if (nImages == 0) return 'no current image';",
				"run('LDM Inpaint...', 'steps=2 seed=1 inplace');",
				"saveAs('Tiff', '" + saved + "');",
				"return 'continued';")));
		}
		finally {
			WindowManager.setTempCurrentImage(null);
		}
		assertStopped(run, "LDM Inpaint: ", "selection");
		assertFalse(Files.exists(saved), "the macro went on and saved the untouched image as if it were the result");
		assertArrayEquals(before, TestImages.bits(source), "the image the macro ran on changed");
	}

	@Test
	void aMissingModelStopsTheMacroNamingTheFoldersSearched() {
		Printed<String> run = Printed.during(() -> IJ.runMacro(String.join("\n",
			"setBatchMode(true);",
			"run('LDM Large Image Sampling...', 'width=16 height=16 model=no-such-model steps=2');",
			"return 'continued';")));
		String line = assertStopped(run, "LDM Large Image Sampling: ", "'no-such-model' not found");
		assertTrue(line.contains("models"), "the message names where it looked: " + line);
	}

	/**
	 * Failures that are not the user's (a bug, a missing library) stop the macro too: ImageJ 1.x itself prints an
	 * exception and lets the macro go on, and drops a NoClassDefFoundError of a plugin class without an underscore
	 * without a word.
	 */
	@Test
	void unexpectedFailuresStopTheMacroWithOneLine() {
		Menus.getCommands().put("LDM Failing Bug", Failing.class.getName() + "(\"bug\")");
		Menus.getCommands().put("LDM Failing Library", Failing.class.getName() + "(\"library\")");
		Printed<String> bug = Printed.during(() -> IJ.runMacro("run('LDM Failing Bug'); return 'continued';"));
		assertStopped(bug, "LDM Failing: ", "unexpected java.lang.ArrayIndexOutOfBoundsException: Index 20");
		Printed<String> library = Printed.during(() -> IJ.runMacro("run('LDM Failing Library'); return 'continued';"));
		assertStopped(library, "LDM Failing: ", "class org.slf4j.LoggerFactory not found");
	}

	/** A command that fails the way a bug or a missing library does. */
	public static class Failing implements PlugIn {
		@Override
		public void run(String arg) {
			Ij1Plugins.guarded("LDM Failing", () -> {
				if (arg.equals("library")) throw new NoClassDefFoundError("org/slf4j/LoggerFactory");
				throw new ArrayIndexOutOfBoundsException("Index 20 out of bounds for length 0");
			});
		}
	}

	/** The macro stopped at the failing command and said why in one line; returns that line. */
	private static String assertStopped(Printed<String> run, String prefix, String says) {
		assertTrue(run.result == null || run.result.contains("aborted"), "the macro must stop after the error, returned "
			+ run.result);
		List<String> lines = run.linesStartingWith(prefix);
		assertEquals(1, lines.size(), "one line says what went wrong; printed:\n" + run.out);
		assertTrue(lines.get(0).contains(says), "the line should say '" + says + "': " + lines.get(0));
		return lines.get(0);
	}
}
