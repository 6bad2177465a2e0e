package org.ldmfiji.ij1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.io.FileSaver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldmfiji.task.TestImages;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The ImageJ 1.x commands on a virtual stack (File > Import > TIFF Virtual Stack...: planes read from disk on
 * demand, no pixel arrays in memory), run from a macro as a user would: every command either works on it or stops
 * the macro with a message; the file on disk is never changed.
 */
class VirtualStackTest {

	@TempDir
	static Path dir;
	private static Path tiff;
	private static int[][] onDisk;

	@BeforeAll
	static void writeStack() throws Exception {
		HeadlessMenus.register(Paths.get("plugins.config"));
		ImagePlus stack = TestImages.stack("virtual", 16, 48, 40, 3);
		tiff = dir.resolve("virtual.tif");
		assertTrue(new FileSaver(stack).saveAsTiffStack(tiff.toString()));
		onDisk = TestImages.bits(stack);
	}

	@AfterEach
	void fileUnchanged() {
		assertArrayEquals(onDisk, TestImages.bits(IJ.openImage(tiff.toString())), "the virtual stack's file changed");
		WindowManager.setTempCurrentImage(null);
	}

	/** Opens the TIFF as a virtual stack and runs the macro with it as the current image (batch mode). */
	private static String runOnVirtualStack(String macro) {
		ImagePlus virtual = IJ.openVirtual(tiff.toString());
		assertTrue(virtual.getStack().isVirtual(), "the test image must be a virtual stack");
		WindowManager.setTempCurrentImage(virtual);
		return IJ.runMacro("setBatchMode(true);\n" + macro);
	}

	@Test
	void inpaintingEveryPlaneOfAVirtualStackGivesANewStack() {
		Path out = dir.resolve("inpainted.tif");
		String result = runOnVirtualStack(String.join("\n",
			"makeRectangle(20, 16, 8, 6);",
			"run('LDM Inpaint...', 'steps=2 seed=1 sampler=ddim grow=0 feather=0 context=8 stack');",
			"title = getTitle();",
			"saveAs('Tiff', '" + out + "');",
			"return title;"));
		assertEquals("virtual-inpainted", result, "the macro goes on with the result");
		int[][] after = TestImages.bits(IJ.openImage(out.toString()));
		assertEquals(3, after.length, "every plane is in the result");
		boolean[] mask = TestImages.rect(48, 40, 20, 16, 8, 6);
		for (int s = 0; s < 3; s++) {
			int changed = 0;
			for (int i = 0; i < mask.length; i++) {
				if (!mask[i]) assertEquals(onDisk[s][i], after[s][i], "plane " + (s + 1) + ": pixel " + i + " outside the selection changed");
				else if (onDisk[s][i] != after[s][i]) changed++;
			}
			assertTrue(changed > 0, "plane " + (s + 1) + " was filled");
		}
	}

	@Test
	void superResolutionOfAVirtualStack() {
		Path out = dir.resolve("x4.tif");
		String result = runOnVirtualStack(String.join("\n",
			"run('LDM Super-Resolution...', 'steps=2 seed=1 sampler=ddim consistency');",
			"title = getTitle();",
			"saveAs('Tiff', '" + out + "');",
			"return title;"));
		assertEquals("virtual-x4", result);
		ImagePlus x4 = IJ.openImage(out.toString());
		assertEquals(3, x4.getStackSize());
		assertEquals(4 * 48, x4.getWidth());
		assertEquals(4 * 40, x4.getHeight());
		assertEquals(16, x4.getBitDepth());
		int[][] bits = TestImages.bits(x4);
		assertNotEquals(0, java.util.Arrays.stream(bits[2]).max().getAsInt(), "the last plane was written");
	}

	@Test
	void inpaintingAVirtualStackInPlaceStopsTheMacroWithAMessage() {
		Path out = dir.resolve("not-written.tif");
		Printed<String> run = Printed.during(() -> runOnVirtualStack(String.join("\n",
			"makeRectangle(20, 16, 8, 6);",
			"run('LDM Inpaint...', 'steps=2 seed=1 sampler=ddim stack inplace');",
			"saveAs('Tiff', '" + out + "');",
			"return 'continued';")));
		assertTrue(run.result == null || run.result.contains("aborted"), "the macro must stop after the error, returned " + run.result);
		assertTrue(!Files.exists(out), "the macro went on and saved the untouched source as if it were the result");
		List<String> lines = run.linesStartingWith("LDM Inpaint: ");
		assertEquals(1, lines.size(), "one line says why: " + run.out);
		assertTrue(lines.get(0).contains("virtual stack"), lines.get(0));
	}
}
