package org.ldmfiji.spark;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inpainting on Spark over a folder with a mask image per image (issue #21): a local[2] run gives, image for image,
 * the pixels {@code ./ldm inpaint} gives with the same mask, options and seed (an 8-bit plane, and a 16-bit hyperstack
 * of 2 channels x 2 slices whose units are its (slice, frame) positions); a second run skips every finished unit; a
 * missing mask or one of another size is refused with one line before Spark starts.
 */
class SparkInpaintIT {

	@TempDir
	static Path dir;
	static Path in, masks, local;
	static final String[] OPTIONS = {"--steps", "4", "--seed", "11", "--strength", "0.5"};

	@BeforeAll
	static void localRun() throws Exception {
		in = Files.createDirectories(dir.resolve("in"));
		masks = Files.createDirectories(dir.resolve("masks"));
		Images.save(in.resolve("plane8.tif"), 48, 40, 8, 1);
		saveHyperstack(in.resolve("hyper16.tif"), 40, 36);
		saveMask(masks.resolve("plane8.tif"), 48, 40, 10, 12, 20, 14);
		saveMask(masks.resolve("hyper16.png"), 40, 36, 18, 6, 12, 22); // another extension, the same name
		local = dir.resolve("local");
		SparkApp.Run r = inpaint(in, masks, local, "local[2]");
		assertEquals(0, r.code, r.out);
		assertTrue(r.out.contains("3 unit(s) computed, 0 skipped"), r.out);
		assertTrue(r.out.contains("model opened 1 time(s)"), "one executor JVM opens the bundle once: " + r.out);
		assertTrue(r.out.contains("ldm-spark: inpainting 3/3 units done"), "progress on stderr: " + r.out);
	}

	static SparkApp.Run inpaint(Path input, Path maskDir, Path out, String master) throws Exception {
		String[] args = {"inpaint", "--input", input.toString(), "--masks", maskDir.toString(), "--output", out.toString(),
			"--model", SparkApp.DEMO.toString(), "--master", master};
		String[] all = new String[args.length + OPTIONS.length];
		System.arraycopy(args, 0, all, 0, args.length);
		System.arraycopy(OPTIONS, 0, all, args.length, OPTIONS.length);
		return SparkApp.run(all);
	}

	@Test
	void localRunEqualsTheSingleMachineCli() throws Exception {
		for (String[] pair : new String[][] {{"plane8.tif", "plane8.tif"}, {"hyper16.tif", "hyper16.png"}}) {
			Path single = dir.resolve("cli-" + pair[0]);
			String[] args = {"inpaint", "--input", in.resolve(pair[0]).toString(), "--mask", masks.resolve(pair[1]).toString(),
				"--output", single.toString(), "--model", SparkApp.DEMO.toString()};
			String[] all = new String[args.length + OPTIONS.length];
			System.arraycopy(args, 0, all, 0, args.length);
			System.arraycopy(OPTIONS, 0, all, args.length, OPTIONS.length);
			SparkApp.Run r = SparkApp.cli(all);
			assertEquals(0, r.code, r.out);
			Images.assertSamePixels(single, local.resolve(pair[0]));
		}
		ImagePlus hyper = Images.open(local.resolve("hyper16.tif"));
		assertEquals("2 channels, 2 slices", hyper.getNChannels() + " channels, " + hyper.getNSlices() + " slices");
		// the fill changed the masked pixels (the comparison above would also hold for a run that did nothing)
		ImageProcessor before = Images.open(in.resolve("plane8.tif")).getProcessor(), after = Images.open(local.resolve(
			"plane8.tif")).getProcessor();
		int changed = 0;
		for (int y = 12; y < 26; y++) for (int x = 10; x < 30; x++) if (before.getf(x, y) != after.getf(x, y)) changed++;
		assertTrue(changed > 100, changed + " of 280 masked pixels changed");
	}

	@Test
	void secondRunSkipsFinishedUnits() throws Exception {
		SparkApp.Run r = inpaint(in, masks, local, "local[2]");
		assertEquals(0, r.code, r.out);
		assertTrue(r.out.contains("0 unit(s) computed, 3 skipped"), r.out);
		assertTrue(r.out.contains("model opened 0 time(s)"), "nothing to compute, no model opened: " + r.out);
	}

	@Test
	void aMissingMaskOrOneOfAnotherSizeIsRefusedBeforeAnyWork() throws Exception {
		Path more = Files.createDirectories(dir.resolve("more"));
		Images.save(more.resolve("a.tif"), 48, 40, 8, 1);
		Images.save(more.resolve("b.tif"), 48, 40, 8, 1);
		Path someMasks = Files.createDirectories(dir.resolve("some-masks"));
		saveMask(someMasks.resolve("a.tif"), 48, 40, 4, 4, 8, 8);
		Path out = dir.resolve("refused");
		SparkApp.Run r = inpaint(more, someMasks, out, "local[2]");
		assertEquals(1, r.code, r.out);
		assertTrue(r.out.trim().endsWith("leave the image out"), r.out);
		assertTrue(r.out.contains("ldm spark: no mask for b.tif in " + someMasks), r.out);
		assertFalse(r.out.contains("unit(s)"), "refused before planning or starting Spark: " + r.out);

		saveMask(someMasks.resolve("b.tif"), 40, 40, 4, 4, 8, 8);
		r = inpaint(more, someMasks, out, "local[2]");
		assertEquals(1, r.code, r.out);
		assertTrue(r.out.contains("is 40x40 but image 'b.tif' is 48x40: the mask must have the image's size"), r.out);
		assertFalse(Files.exists(out), "nothing written");
	}

	static void saveMask(Path file, int w, int h, int x0, int y0, int mw, int mh) {
		ByteProcessor m = new ByteProcessor(w, h);
		for (int y = y0; y < y0 + mh; y++) for (int x = x0; x < x0 + mw; x++) m.set(x, y, 255);
		ImagePlus imp = new ImagePlus(file.getFileName().toString(), m);
		boolean ok = file.toString().endsWith(".png") ? new FileSaver(imp).saveAsPng(file.toString())
			: new FileSaver(imp).saveAsTiff(file.toString());
		assertTrue(ok, "cannot write " + file);
	}

	/** A 16-bit hyperstack of 2 channels x 2 slices (stack order c, z: 4 planes of different content). */
	static void saveHyperstack(Path file, int w, int h) {
		ImageStack s = new ImageStack(w, h);
		for (int p = 0; p < 4; p++) s.addSlice("plane " + (p + 1), Images.plane(w, h, 16, 31L + p));
		ImagePlus imp = new ImagePlus(file.getFileName().toString(), s);
		imp.setDimensions(2, 2, 1);
		imp.setOpenAsHyperStack(true);
		assertTrue(new FileSaver(imp).saveAsTiffStack(file.toString()), "cannot write " + file);
	}
}
