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
import org.ldmfiji.model.TextBundles;
import org.ldmfiji.task.Masks;
import org.ldmfiji.task.TestImages;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./ldm inpaint|superres|sample --prompt ... --negative ...} with the tiny text-conditioned bundle
 * (models/make_text_test_bundle.py: CLIP tokenizer, a stand-in text encoder, random U-Nets): sizes and types, unmasked
 * pixels exact, the prompt changes the result and is recorded in the provenance, and the negative prompt is the
 * unconditional context of classifier-free guidance.
 */
class TextPromptCommandsTest {

	@TempDir
	static Path dir;
	static Path model, input, mask;
	static final int W = 80, H = 72;

	@BeforeAll
	static void files() {
		model = TextBundles.tiny(dir.resolve("tiny-text"));
		input = save(TestImages.image("cells", 16, W, H, 1), dir.resolve("cells.tif"));
		ByteProcessor m = new ByteProcessor(W, H);
		m.setValue(255);
		m.fillRect(30, 28, 12, 9);
		mask = save(new ImagePlus("mask", m), dir.resolve("mask.png"));
	}

	private static Path save(ImagePlus imp, Path file) {
		assertTrue(file.toString().endsWith(".png") ? new FileSaver(imp).saveAsPng(file.toString())
			: new FileSaver(imp).saveAsTiff(file.toString()));
		return file;
	}

	private final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();

	private int ldm(List<String> args) {
		return Main.run(args.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
			new PrintStream(err, true, StandardCharsets.UTF_8));
	}

	/** Results by name, shared by the tests (each run loads the bundle anew: seconds). */
	private static final java.util.Map<String, ImagePlus> RUNS = new java.util.HashMap<>();

	/** The inpainted image of the test input with these extra options (3 steps from noise, seed 1), once per name. */
	private ImagePlus inpaint(String name, String... extra) {
		ImagePlus done = RUNS.get(name);
		if (done != null) return done;
		Path result = dir.resolve(name + ".tif");
		List<String> args = new ArrayList<>(List.of("inpaint", "--model", model.toString(), "--input", input.toString(),
			"--mask", mask.toString(), "--output", result.toString(), "--steps", "3", "--seed", "1", "--grow", "2",
			"--strength", "1"));
		args.addAll(Arrays.asList(extra));
		assertEquals(0, ldm(args), err.toString(StandardCharsets.UTF_8));
		RUNS.put(name, IJ.openImage(result.toString()));
		return RUNS.get(name);
	}

	@Test
	void inpaintWithAPromptKeepsUnmaskedPixelsAndRecordsThePrompt() {
		ImagePlus cat = inpaint("cat", "--prompt", "a cat", "--guidance", "3");
		ImagePlus src = IJ.openImage(input.toString());
		assertEquals(W, cat.getWidth());
		assertEquals(H, cat.getHeight());
		assertEquals(16, cat.getBitDepth());
		int[] before = TestImages.bits(src)[0], after = TestImages.bits(cat)[0];
		boolean[] grown = Masks.grow(TestImages.rect(W, H, 30, 28, 12, 9), W, H, 2);
		for (int i = 0; i < grown.length; i++) if (!grown[i]) assertEquals(before[i], after[i], "pixel " + i);
		String info = cat.getInfoProperty();
		assertTrue(info.contains("prompt: \"a cat\", negative prompt: \"\" (the model's null prompt), guidance: 3.0"),
			"provenance: " + info);

		int[] dog = TestImages.bits(inpaint("dog", "--prompt", "a dog", "--guidance", "3"))[0];
		assertFalse(Arrays.equals(after, dog), "another prompt gives another fill");
	}

	@Test
	void theNegativePromptIsTheUnconditionalContext() {
		int[] plain = TestImages.bits(inpaint("cat", "--prompt", "a cat", "--guidance", "3"))[0];
		int[] negative = TestImages.bits(inpaint("neg", "--prompt", "a cat", "--negative", "blurry", "--guidance", "3"))[0];
		assertFalse(Arrays.equals(plain, negative), "with guidance, the negative prompt changes the fill");
		// w = 0: eps = eps(negative) exactly, so the fill is that of the negative prompt as the prompt (up to the
		// rounding of a batch of two against a batch of one)
		int[] w0 = TestImages.bits(inpaint("w0", "--prompt", "a cat", "--negative", "blurry", "--guidance", "0"))[0];
		int[] blurry = TestImages.bits(inpaint("blurry", "--prompt", "blurry", "--guidance", "1"))[0];
		int worst = 0;
		for (int i = 0; i < w0.length; i++) worst = Math.max(worst, Math.abs(w0[i] - blurry[i]));
		assertTrue(worst <= 64, "w = 0 gives the negative prompt's fill; largest difference " + worst + " of 65535");
		assertFalse(Arrays.equals(w0, plain), "and not the prompt's");
	}

	@Test
	void superresWithAnEmptyPromptRunsAndRecordsIt() {
		Path small = save(TestImages.image("small", 8, 13, 10, 3), dir.resolve("small.tif"));
		Path result = dir.resolve("x4.tif");
		assertEquals(0, ldm(List.of("superres", "--model", model.toString(), "--input", small.toString(), "--output",
			result.toString(), "--steps", "2", "--prompt", "")), err.toString(StandardCharsets.UTF_8));
		ImagePlus x4 = IJ.openImage(result.toString());
		assertEquals(52, x4.getWidth());
		assertEquals(40, x4.getHeight());
		assertEquals(8, x4.getBitDepth());
		assertTrue(x4.getInfoProperty().contains("prompt: \"\", negative prompt: \"\""), x4.getInfoProperty());
	}

	@Test
	void sampleTakesAPromptAndRefusesALabel() {
		Path a = dir.resolve("a.tif"), b = dir.resolve("b.tif");
		List<String> common = List.of("sample", "--model", model.toString(), "--width", "64", "--height", "64",
			"--steps", "2", "--type", "16-bit");
		List<String> args = new ArrayList<>(common);
		args.addAll(List.of("--output", a.toString(), "--prompt", "a forest"));
		assertEquals(0, ldm(args), err.toString(StandardCharsets.UTF_8));
		args = new ArrayList<>(common);
		args.addAll(List.of("--output", b.toString(), "--prompt", "a desert"));
		assertEquals(0, ldm(args), err.toString(StandardCharsets.UTF_8));
		ImagePlus ia = IJ.openImage(a.toString());
		assertEquals(64, ia.getWidth());
		assertTrue(ia.getInfoProperty().contains("prompt: \"a forest\""), ia.getInfoProperty());
		assertFalse(Arrays.equals(TestImages.bits(ia)[0], TestImages.bits(IJ.openImage(b.toString()))[0]));
		args = new ArrayList<>(common);
		args.addAll(List.of("--output", dir.resolve("c.tif").toString(), "--label", "phase"));
		assertEquals(1, ldm(args));
		assertTrue(err.toString(StandardCharsets.UTF_8).contains("takes a text prompt, not a label"),
			err.toString(StandardCharsets.UTF_8));
	}

	@Test
	void aPromptForAModelWithoutTextIsAOneLineError() {
		Path result = dir.resolve("demo.tif");
		assertEquals(1, ldm(List.of("inpaint", "--input", input.toString(), "--mask", mask.toString(), "--output",
			result.toString(), "--steps", "2", "--prompt", "a cat")));
		String e = err.toString(StandardCharsets.UTF_8).trim();
		assertTrue(e.contains("takes no text prompt") && e.contains("leave 'prompt' empty"), e);
		assertEquals(1, e.lines().count(), e);
	}
}
