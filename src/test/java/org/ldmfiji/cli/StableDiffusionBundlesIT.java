package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldmfiji.task.TestImages;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Issue 20: {@code ./ldm inpaint --model <SD inpainting bundle> --prompt ...} and {@code ./ldm superres --model <x4
 * upscaler bundle> --prompt ""} on converted Stable Diffusion checkpoints. The bundles are written by the converter
 * itself ({@code models/make_sd_test_bundle.py}: a checkpoint in the published SD layout with tiny widths and random
 * weights, converted by {@code ldm_models.convert}), so this covers what a user's converted file goes through: the
 * 9-channel inpainting U-Net with its [0, 1] mask, the x4 upscaler's low-res concatenation, KL-f8 / f4 autoencoders,
 * the CLIP tokenizer files and text encoder. Checked: sizes and types, unmasked pixels exact, the inside filled, the
 * prompt changes the fill and is recorded in the provenance.
 */
class StableDiffusionBundlesIT {

	@TempDir
	static Path dir;
	static Path inpainting, upscaler, rgb, mask;
	static final int W = 96, H = 80;

	@BeforeAll
	static void bundles() throws Exception {
		inpainting = convert("sd1_inpainting");
		upscaler = convert("sd2_x4_upscaler");
		rgb = dir.resolve("rgb.tif");
		assertTrue(new FileSaver(TestImages.image("rgb", 24, W, H, 3)).saveAsTiff(rgb.toString()));
		ByteProcessor m = new ByteProcessor(W, H);
		m.setValue(255);
		m.fillRect(36, 30, 20, 16);
		mask = dir.resolve("mask.png");
		assertTrue(new FileSaver(new ImagePlus("mask", m)).saveAsPng(mask.toString()));
	}

	/** Runs the project's converter on a tiny random checkpoint of this SD configuration; returns the bundle. */
	private static Path convert(String config) throws IOException, InterruptedException {
		Path out = dir.resolve(config);
		Path models = Path.of(System.getProperty("ldm.basedir", ".")).resolve("models").toAbsolutePath();
		Process p = new ProcessBuilder("/usr/bin/python3", "make_sd_test_bundle.py", "--config", config, "--out",
			out.toString()).directory(models.toFile()).redirectErrorStream(true)
			.redirectOutput(dir.resolve(config + ".log").toFile()).start();
		int rc = p.waitFor();
		assertEquals(0, rc, "make_sd_test_bundle.py --config " + config + " failed:\n"
			+ Files.readString(dir.resolve(config + ".log")));
		assertTrue(Files.isRegularFile(out.resolve("model.json")), "no bundle in " + out);
		return out;
	}

	private final ByteArrayOutputStream err = new ByteArrayOutputStream();

	private void ldm(String... args) {
		int rc = Main.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
			new PrintStream(err, true, StandardCharsets.UTF_8));
		assertEquals(0, rc, String.join(" ", args) + "\n" + err.toString(StandardCharsets.UTF_8));
	}

	private ImagePlus inpaint(String name, String prompt) {
		Path out = dir.resolve(name + ".tif");
		ldm("inpaint", "--model", inpainting.toString(), "--input", rgb.toString(), "--mask", mask.toString(),
			"--output", out.toString(), "--steps", "3", "--seed", "5", "--grow", "0", "--feather", "0", "--seam",
			"hard", "--strength", "1", "--prompt", prompt, "--guidance", "3");
		return IJ.openImage(out.toString());
	}

	@Test
	void sdInpaintingKeepsTheUnmaskedPixelsFillsTheMaskAndRecordsThePrompt() {
		ImagePlus cat = inpaint("cat", "a cell, nucleus");
		assertEquals(W, cat.getWidth());
		assertEquals(H, cat.getHeight());
		assertEquals(24, cat.getBitDepth());
		int[] before = TestImages.bits(IJ.openImage(rgb.toString()))[0], after = TestImages.bits(cat)[0];
		int changedInside = 0, inside = 0;
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				int i = y * W + x;
				boolean masked = x >= 36 && x < 56 && y >= 30 && y < 46;
				if (!masked) assertEquals(before[i], after[i], "unmasked pixel (" + x + ", " + y + ")");
				else {
					inside++;
					if (before[i] != after[i]) changedInside++;
				}
			}
		assertTrue(changedInside > inside / 2, "filled " + changedInside + " of " + inside + " masked pixels");
		assertTrue(cat.getInfoProperty().contains("prompt: \"a cell, nucleus\""), cat.getInfoProperty());
		assertFalse(Arrays.equals(after, TestImages.bits(inpaint("dog", "a dog"))[0]), "another prompt, another fill");
	}

	@Test
	void sdUpscalerGivesFourTimesTheSizeInTheSourcesTypeAndRecordsThePrompt() {
		Path out = dir.resolve("x4.tif");
		List<String> args = new ArrayList<>(List.of("superres", "--model", upscaler.toString(), "--input",
			rgb.toString(), "--output", out.toString(), "--steps", "2", "--samples", "1", "--prompt", ""));
		ldm(args.toArray(new String[0]));
		ImagePlus x4 = IJ.openImage(out.toString());
		assertEquals(4 * W, x4.getWidth());
		assertEquals(4 * H, x4.getHeight());
		assertEquals(24, x4.getBitDepth());
		assertTrue(x4.getInfoProperty().contains("prompt: \"\""), x4.getInfoProperty());
		assertTrue(new File(out.toString()).length() > 0);
	}
}
