package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldmfiji.task.TestImages;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code ./ldm inpaint} and {@code ./ldm superres} through the CLI's entry point, files in and out. */
class ImageCommandsTest {

	private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

	private int ldm(String... args) {
		return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
			StandardCharsets.UTF_8));
	}

	private String err() {
		return err.toString(StandardCharsets.UTF_8);
	}

	private static Path save(ImagePlus imp, Path file) {
		assertTrue(file.toString().endsWith(".png") ? new FileSaver(imp).saveAsPng(file.toString())
			: new FileSaver(imp).saveAsTiff(file.toString()));
		return file;
	}

	private static Path maskFile(Path dir, int w, int h) {
		ByteProcessor m = new ByteProcessor(w, h);
		m.setValue(255);
		m.fillRect(30, 28, 12, 9);
		return save(new ImagePlus("mask", m), dir.resolve("mask.png"));
	}

	/**
	 * With the defaults only the mask's own pixels change: a mask drawn exactly (as the real-image evaluation's, or a
	 * selection around a defect) is not grown into known pixels, each of which the fill would replace by a guess.
	 */
	@Test
	void inpaintWithTheDefaultsChangesOnlyTheMasksPixels(@TempDir Path dir) {
		ImagePlus src = TestImages.image("cells", 16, 80, 72, 1);
		Path in = save(src, dir.resolve("cells.tif")), result = dir.resolve("filled.tif");
		int code = ldm("inpaint", "--input", in.toString(), "--mask", maskFile(dir, 80, 72).toString(), "--output",
			result.toString(), "--steps", "4", "--seed", "1");
		assertEquals(0, code, err());
		int[] before = TestImages.bits(src)[0], after = TestImages.bits(IJ.openImage(result.toString()))[0];
		TestImages.assertFilledInsideOnly(before, after, TestImages.rect(80, 72, 30, 28, 12, 9), 80, 0);
	}

	@Test
	void inpaintWritesTheFilledImageAndKeepsEveryOtherPixel(@TempDir Path dir) {
		ImagePlus src = TestImages.image("cells", 16, 80, 72, 1);
		Path in = save(src, dir.resolve("cells.tif")), result = dir.resolve("filled.tif");
		int code = ldm("inpaint", "--input", in.toString(), "--mask", maskFile(dir, 80, 72).toString(), "--output",
			result.toString(), "--steps", "4", "--seed", "1", "--grow", "2", "--feather", "3", "--context", "16",
			"--strength", "1"); // every step from noise, so the progress shows all 4
		assertEquals(0, code, err());
		assertTrue(out.toString(StandardCharsets.UTF_8).contains("step 4 of 4"), "progress on the terminal");
		ImagePlus filled = IJ.openImage(result.toString());
		assertEquals(16, filled.getBitDepth());
		int[] before = TestImages.bits(src)[0], after = TestImages.bits(filled)[0];
		TestImages.assertFilledInsideOnly(before, after, TestImages.rect(80, 72, 30, 28, 12, 9), 80, 2);
	}

	@Test
	void inpaintSamplesWriteTheStackAndTheStdMap(@TempDir Path dir) {
		Path in = save(TestImages.image("cells", 8, 80, 72, 2), dir.resolve("cells.tif"));
		Path result = dir.resolve("samples.tif");
		assertEquals(0, ldm("inpaint", "--input", in.toString(), "--mask", maskFile(dir, 80, 72).toString(), "--output",
			result.toString(), "--steps", "4", "--samples", "2"), err());
		assertEquals(2, IJ.openImage(result.toString()).getStackSize());
		assertTrue(Files.isRegularFile(dir.resolve("samples-std.tif")));
	}

	@Test
	void superresWritesFourTimesTheSizeInTheSameType(@TempDir Path dir) {
		Path in = save(TestImages.image("small", 16, 13, 10, 3), dir.resolve("small.tif")), result = dir.resolve("x4.tif");
		assertEquals(0, ldm("superres", "--input", in.toString(), "--output", result.toString(), "--steps", "4", "--seed",
			"2"), err());
		ImagePlus x4 = IJ.openImage(result.toString());
		assertEquals(52, x4.getWidth());
		assertEquals(40, x4.getHeight());
		assertEquals(16, x4.getBitDepth());
		assertTrue(((String) x4.getProperty("Info")).contains("consistency (back-projection): on"));
		Path raw = dir.resolve("raw.tif");
		assertEquals(0, ldm("superres", "--input", in.toString(), "--output", raw.toString(), "--steps", "2",
			"--no-consistency", "--samples", "2", "--tile", "8"), err());
		assertTrue(((String) IJ.openImage(raw.toString()).getProperty("Info")).contains("consistency (back-projection): off"));
		assertTrue(Files.isRegularFile(dir.resolve("raw-std.tif")));
	}

	@Test
	void evaluationFiguresArePrinted(@TempDir Path dir) {
		ImagePlus hr = TestImages.image("hr", 32, 48, 40, 7);
		ImagePlus low = new ImagePlus("low", new ij.process.FloatProcessor(12, 10,
			org.ldmfiji.task.Consistency.areaDownsample(org.ldmfiji.image.IjImages.read(hr.getProcessor()), 4).data()));
		Path in = save(low, dir.resolve("low.tif")), ref = save(hr, dir.resolve("hr.tif"));
		assertEquals(0, ldm("superres", "--input", in.toString(), "--output", dir.resolve("x4.tif").toString(), "--steps",
			"2", "--reference", ref.toString()), err());
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("LDM x4 (-?[0-9.]+) dB, bicubic (-?[0-9.]+) dB, gain "
			+ "([-+][0-9.]+) dB").matcher(out.toString(StandardCharsets.UTF_8));
		assertTrue(m.find(), out.toString(StandardCharsets.UTF_8));
		assertEquals(Double.parseDouble(m.group(1)) - Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)), 0.011);
		assertTrue(Double.parseDouble(m.group(2)) > 10, "bicubic of a smooth image is close to it");

		Path img = save(TestImages.image("cells", 8, 80, 72, 3), dir.resolve("cells.tif"));
		assertEquals(0, ldm("inpaint", "--input", img.toString(), "--mask", maskFile(dir, 80, 72).toString(), "--output",
			dir.resolve("filled.tif").toString(), "--steps", "2", "--samples", "2", "--evaluate"), err());
		assertTrue(out.toString(StandardCharsets.UTF_8).matches("(?s).*evaluation \\(2 sample\\(s\\), \\d+ mask pixels\\): RMSE "
			+ "of the mean inside the mask [0-9.e+-]+; high-frequency energy fill/surroundings [0-9.]+; border gradient "
			+ "jump / surroundings [0-9.]+.*"), out.toString(StandardCharsets.UTF_8));
	}

	@Test
	void badInputFailsWithAMessageAndWritesNothing(@TempDir Path dir) {
		Path in = save(TestImages.image("cells", 8, 80, 72, 1), dir.resolve("cells.tif")), result = dir.resolve("out.tif");
		assertEquals(1, ldm("inpaint", "--input", in.toString(), "--mask", maskFile(dir, 64, 72).toString(), "--output",
			result.toString(), "--steps", "2"));
		assertTrue(err().contains("must have the image's size"), err());
		assertEquals(2, ldm("inpaint", "--input", in.toString(), "--output", result.toString()));
		assertTrue(err().contains("needs --mask"), err());
		assertEquals(1, ldm("superres", "--input", in.toString(), "--output", result.toString(), "--model", "nope"));
		assertTrue(err().contains("model 'nope' not found"), err());
		Path tiny = save(TestImages.image("tiny", 8, 3, 3, 1), dir.resolve("tiny.tif"));
		assertEquals(1, ldm("superres", "--input", tiny.toString(), "--output", result.toString(), "--steps", "2"));
		assertTrue(err().contains("smaller than"), err());
		assertFalse(Files.exists(result), "nothing written after a refusal");
	}
}
