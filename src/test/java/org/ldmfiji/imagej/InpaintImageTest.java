package org.ldmfiji.imagej;

import org.ldmfiji.task.DemoModel;
import org.ldmfiji.task.Masks;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.TestImages;
import org.ldmfiji.task.Seam;
import org.ldmfiji.model.Bundles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.process.ImageProcessor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.ldmfiji.model.BundleException;

import java.util.concurrent.CancellationException;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Image-level inpainting on the demo bundle: bit-identity outside the mask, determinism, bad input, stacks. */
class InpaintImageTest {

	private static final int W = 80, H = 72;

	private static InpaintImage.Options options(long seed) {
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = DemoModel.fast(seed);
		o.grow = 2;
		o.feather = 3;
		o.context = 16;
		return o;
	}

	@TestFactory
	Stream<DynamicTest> pixelsOutsideTheGrownMaskAreBitIdentical() {
		return IntStream.of(8, 16, 24, 32).mapToObj(bits -> DynamicTest.dynamicTest(bits == 24 ? "RGB" : bits + "-bit",
			() -> outsideIdentical(bits)));
	}

	private static void outsideIdentical(int bitDepth) {
		ImagePlus imp = TestImages.image("src", bitDepth, W, H, 1);
		boolean[] mask = TestImages.rect(W, H, 30, 28, 12, 9);
		int[][] before = TestImages.bits(imp);
		InpaintImage.Options o = options(1);
		InpaintImage.Result r = InpaintImage.run(DemoModel.get(), imp, mask, o, Progress.NONE);

		assertArrayEquals(before, TestImages.bits(imp), "the source must not change");
		assertEquals("src-inpainted", r.image.getTitle());
		assertEquals(bitDepth, r.image.getBitDepth());
		boolean[] grown = Masks.grow(mask, W, H, o.grow);
		int[] after = TestImages.bits(r.image)[0];
		int changedInside = 0;
		for (int i = 0; i < grown.length; i++) {
			if (!grown[i]) assertEquals(before[0][i], after[i], "pixel " + i % W + "," + i / W + " outside the mask changed");
			else if (after[i] != before[0][i]) changedInside++;
		}
		assertTrue(changedInside > Masks.count(mask) / 2, "the fill changed only " + changedInside + " pixels");
		String info = (String) r.image.getProperty("Info");
		assertTrue(info.contains("seed: 1") && info.contains("SHA-256") && info.contains("mask bounds"), info);
		assertNotNull(r.image.getOverlay());
		assertNotNull(r.region);
		assertNull(r.std);
	}

	@Test
	void featherBlendsOnlyInTheGrowMarginAndNeverBringsTheSelectedPixelsBack() {
		ImagePlus imp = TestImages.image("src", 32, W, H, 2);
		boolean[] mask = TestImages.rect(W, H, 20, 20, 20, 20);
		InpaintImage.Options o = options(3);
		o.grow = 4;
		o.feather = 8; // wider than the margin: the band is still only the 4 px of the margin
		ImageProcessor src = imp.getProcessor();
		InpaintImage.Options hard = options(3);
		hard.grow = 4;
		hard.feather = 0;
		ImageProcessor soft = InpaintImage.run(DemoModel.get(), imp, mask, o, Progress.NONE).image.getProcessor();
		ImageProcessor full = InpaintImage.run(DemoModel.get(), imp, mask, hard, Progress.NONE).image.getProcessor();
		boolean[] grown = Masks.grow(mask, W, H, 4);
		float[] alpha = Masks.featherWeights(grown, W, H, 4);
		int blended = 0;
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				int i = y * W + x;
				if (mask[i]) {
					assertEquals(full.getf(x, y), soft.getf(x, y), 0, "selected pixel " + x + "," + y + " must be pure fill");
					continue;
				}
				double expected = alpha[i] * full.getf(x, y) + (1 - alpha[i]) * src.getf(x, y);
				assertEquals(expected, soft.getf(x, y), 1e-4, "blend at " + x + "," + y);
				if (alpha[i] > 0 && alpha[i] < 1) blended++;
			}
		assertTrue(blended > 0, "the grow margin is blended");
	}

	@Test
	void sameSeedSameFillAndDifferentSeedsDifferentFills() {
		ImagePlus imp = TestImages.image("src", 16, W, H, 4);
		boolean[] mask = TestImages.rect(W, H, 30, 30, 10, 10);
		int[] a = TestImages.bits(InpaintImage.run(DemoModel.get(), imp, mask, options(7), Progress.NONE).image)[0];
		int[] b = TestImages.bits(InpaintImage.run(DemoModel.get(), imp, mask, options(7), Progress.NONE).image)[0];
		int[] c = TestImages.bits(InpaintImage.run(DemoModel.get(), imp, mask, options(8), Progress.NONE).image)[0];
		assertArrayEquals(a, b, "same seed, same fill");
		assertFalse(java.util.Arrays.equals(a, c), "seeds 7 and 8 gave the same fill");
	}

	@Test
	void selectionOfAnyShapeIsTheMask() {
		ImagePlus imp = TestImages.image("src", 8, W, H, 5);
		imp.setRoi(new OvalRoi(25, 20, 15, 11));
		boolean[] mask = Selections.maskOf(imp);
		assertEquals(imp.getRoi().getContainedPoints().length, Masks.count(mask));
		imp.deleteRoi();
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Selections.maskOf(imp));
		assertTrue(e.getMessage().contains("no selection"), e.getMessage());
	}

	@Test
	void distantRegionsAreSeparateWindowsAndNearOnesShareOne() {
		ImagePlus imp = TestImages.image("big", 8, 400, 300, 6);
		boolean[] mask = TestImages.rect(400, 300, 10, 10, 6, 6);
		boolean[] far = TestImages.rect(400, 300, 350, 250, 6, 6);
		boolean[] near = TestImages.rect(400, 300, 24, 10, 6, 6);
		for (int i = 0; i < mask.length; i++) {
			far[i] |= mask[i];
			near[i] |= mask[i];
		}
		InpaintImage.Options o = options(1);
		String twoWindows = (String) InpaintImage.run(DemoModel.get(), imp, far, o, Progress.NONE).image.getProperty("Info");
		String oneWindow = (String) InpaintImage.run(DemoModel.get(), imp, near, o, Progress.NONE).image.getProperty("Info");
		assertEquals(2, windows(twoWindows), twoWindows);
		assertEquals(1, windows(oneWindow), oneWindow);
	}

	private static int windows(String info) {
		String line = info.lines().filter(l -> l.startsWith("windows:")).findFirst().orElseThrow();
		return line.substring("windows:".length()).trim().split(" ").length;
	}

	@Test
	void allPlanesOrTheCurrentOne() {
		ImagePlus imp = TestImages.stack("stack", 16, W, H, 3);
		imp.setSlice(2);
		boolean[] mask = TestImages.rect(W, H, 30, 30, 8, 8);
		int[][] before = TestImages.bits(imp);
		InpaintImage.Options o = options(2);
		int[][] current = TestImages.bits(InpaintImage.run(DemoModel.get(), imp, mask, o, Progress.NONE).image);
		assertArrayEquals(before[0], current[0], "plane 1 is not the current plane");
		assertArrayEquals(before[2], current[2], "plane 3 is not the current plane");
		assertFalse(java.util.Arrays.equals(before[1], current[1]), "the current plane was filled");
		o.allPlanes = true;
		int[][] all = TestImages.bits(InpaintImage.run(DemoModel.get(), imp, mask, o, Progress.NONE).image);
		for (int s = 0; s < 3; s++) assertFalse(java.util.Arrays.equals(before[s], all[s]), "plane " + (s + 1) + " filled");
		assertArrayEquals(before, TestImages.bits(imp));
	}

	@Test
	void severalSamplesGiveTheirStackAndStdMap() {
		ImagePlus imp = TestImages.image("src", 8, W, H, 9);
		boolean[] mask = TestImages.rect(W, H, 30, 30, 10, 10);
		InpaintImage.Options o = options(5);
		o.samples = 3;
		InpaintImage.Result r = InpaintImage.run(DemoModel.get(), imp, mask, o, Progress.NONE);
		assertEquals(3, r.image.getNFrames());
		assertNotNull(r.std);
		assertEquals(32, r.std.getBitDepth());
		boolean[] grown = Masks.grow(mask, W, H, o.grow);
		ImageProcessor std = r.std.getProcessor();
		double inside = 0;
		for (int i = 0; i < grown.length; i++) {
			if (!grown[i]) assertEquals(0f, std.getf(i), "std outside the mask");
			else inside += std.getf(i);
		}
		assertTrue(inside > 0, "samples with different noise differ inside the mask");
		int[][] frames = TestImages.bits(r.image);
		assertFalse(java.util.Arrays.equals(frames[0], frames[1]));
	}

	@Test
	void inPlaceChangesOnlyTheMaskedPixelsOfTheSource() {
		ImagePlus imp = TestImages.image("src", 16, W, H, 11);
		boolean[] mask = TestImages.rect(W, H, 30, 30, 10, 10);
		int[] before = TestImages.bits(imp)[0];
		InpaintImage.Options o = options(1);
		o.inPlace = true;
		InpaintImage.Result r = InpaintImage.run(DemoModel.get(), imp, mask, o, Progress.NONE);
		assertSame(imp, r.image);
		int[] after = TestImages.bits(imp)[0];
		boolean[] grown = Masks.grow(mask, W, H, o.grow);
		for (int i = 0; i < grown.length; i++) if (!grown[i]) assertEquals(before[i], after[i]);
		assertFalse(java.util.Arrays.equals(before, after));
	}

	@Test
	void cancellingLeavesTheSourceAndGivesNoResult() {
		ImagePlus imp = TestImages.image("src", 16, W, H, 12);
		boolean[] mask = TestImages.rect(W, H, 30, 30, 10, 10);
		int[][] before = TestImages.bits(imp);
		InpaintImage.Options o = options(1);
		o.inPlace = true;
		Progress cancelAtStep2 = new Progress() {
			@Override
			public void status(String message) {}

			@Override
			public void progress(long done, long total) {
				if (done >= 2) throw new CancellationException("user pressed Esc");
			}
		};
		assertThrows(CancellationException.class, () -> InpaintImage.run(DemoModel.get(), imp, mask, o, cancelAtStep2));
		assertArrayEquals(before, TestImages.bits(imp));
	}

	@Test
	void aMaskStackIsTakenOnlyWhenItsPlanesAgree() {
		ImagePlus imp = TestImages.image("src", 8, W, H, 13);
		ij.ImageStack same = new ij.ImageStack(W, H), differ = new ij.ImageStack(W, H);
		for (int p = 0; p < 3; p++) {
			ij.process.ByteProcessor m = new ij.process.ByteProcessor(W, H);
			m.setValue(255);
			m.fillRect(10, 12, 6, 5);
			same.addSlice(m.duplicate());
			if (p == 2) m.fillRect(30, 30, 4, 4); // the third plane marks more
			differ.addSlice(m);
		}
		boolean[] mask = Selections.maskOf(new ImagePlus("same", same), imp);
		assertArrayEquals(TestImages.rect(W, H, 10, 12, 6, 5), mask);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Selections.maskOf(new ImagePlus(
			"differ", differ), imp));
		assertEquals("mask 'differ' has 3 planes that mark different pixels (plane 3 differs from plane 1): one mask "
			+ "applies to every plane of the image, so give a single-plane mask (or fill each plane with its own)",
			e.getMessage());
	}

	@Test
	void badInputIsRefusedWithAClearMessageAndNoChange() {
		ImagePlus imp = TestImages.image("src", 32, W, H, 13);
		int[][] before = TestImages.bits(imp);
		InpaintImage.Options o = options(1);
		assertMessage("empty", () -> InpaintImage.run(DemoModel.get(), imp, new boolean[W * H], o, Progress.NONE));
		boolean[] all = new boolean[W * H];
		java.util.Arrays.fill(all, true);
		assertMessage("whole image", () -> InpaintImage.run(DemoModel.get(), imp, all, o, Progress.NONE));
		ImagePlus otherSize = TestImages.image("mask", 8, W + 1, H, 1);
		assertMessage("size", () -> Selections.maskOf(otherSize, imp));
		assertMessage("size", () -> InpaintImage.run(DemoModel.get(), imp, new boolean[10], o, Progress.NONE));
		ImagePlus tiny = TestImages.image("tiny", 8, 12, 12, 1);
		assertMessage("smaller", () -> InpaintImage.run(DemoModel.get(), tiny, TestImages.rect(12, 12, 4, 4, 2, 2), o,
			Progress.NONE));
		imp.getProcessor().setf(24, 30, Float.POSITIVE_INFINITY); // outside the grown mask, inside the window
		before = TestImages.bits(imp);
		assertMessage("has an infinite pixel at x=24, y=30", () -> InpaintImage.run(DemoModel.get(), imp,
			TestImages.rect(W, H, 30, 30, 5, 5), o, Progress.NONE));
		BundleException unknown = assertThrows(BundleException.class, () -> Bundles.open("no-such-model"));
		assertTrue(unknown.getMessage().contains("not found"), unknown.getMessage());
		assertArrayEquals(before, TestImages.bits(imp), "a refused run changes nothing");
	}

	@Test
	void regionsLargerThanTheTrainingSizeRunInFusedTiles() {
		ImagePlus big = TestImages.image("big", 16, 300, 120, 1);
		int[][] before = TestImages.bits(big);
		boolean[] mask = TestImages.rect(300, 120, 20, 40, 240, 24); // 240 px wide: several native-size tiles
		InpaintImage.Options o = options(1);
		o.grow = 0;
		o.feather = 0;
		ImagePlus out = InpaintImage.run(DemoModel.get(), big, mask, o, Progress.NONE).image;
		int[][] after = TestImages.bits(out);
		TestImages.assertFilledInsideOnly(before[0], after[0], mask, 300, 0);
		for (int x0 = 20; x0 < 260; x0 += 40) { // each 40-px slice of the region, so that no tile is left unfilled
			int changed = 0;
			for (int y = 40; y < 64; y++)
				for (int x = x0; x < x0 + 40; x++) if (before[0][y * 300 + x] != after[0][y * 300 + x]) changed++;
			assertTrue(changed > 40 * 24 / 2, "the slice at x=" + x0 + " is filled: " + changed + " pixels changed");
		}
		assertArrayEquals(before, TestImages.bits(big), "the source stays as it was");
	}

	/** A box twice the training size, on the latent grid: its window once held no known pixel and was filled white. */
	@Test
	void aHoleMoreThanTwiceTheTrainingSizeIsFilledFromItsSurroundings() {
		int side = 384;
		ImagePlus big = TestImages.image("big", 16, side, side, 5);
		boolean[] mask = TestImages.rect(side, side, 64, 64, 256, 256);
		int[] before = TestImages.bits(big)[0];
		InpaintImage.Options o = options(1);
		o.grow = 0;
		o.feather = 0;
		int[] after = TestImages.bits(InpaintImage.run(DemoModel.get(), big, mask, o, Progress.NONE).image)[0];
		TestImages.assertFilledInsideOnly(before, after, mask, side, 0);
		int lo = Integer.MAX_VALUE, hi = Integer.MIN_VALUE;
		double knownMean = 0, fillMean = 0;
		for (int i = 0; i < mask.length; i++) {
			if (mask[i]) continue;
			lo = Math.min(lo, before[i]);
			hi = Math.max(hi, before[i]);
			knownMean += before[i] / (double) (mask.length - 256 * 256);
		}
		for (int i = 0; i < mask.length; i++) {
			if (!mask[i]) continue;
			assertTrue(after[i] >= lo && after[i] <= hi, "fill value " + after[i] + " at " + i % side + "," + i / side
				+ " outside the surroundings' range [" + lo + ", " + hi + "]");
			fillMean += after[i] / (256.0 * 256);
		}
		assertEquals(knownMean, fillMean, 0.1 * (hi - lo), "the fill's mean");
	}

	@Test
	void multiChannelImagesAreFilledChannelByChannel() {
		ij.ImageStack s = new ij.ImageStack(W, H);
		for (int i = 0; i < 4; i++) s.addSlice(TestImages.plane(16, W, H, 20 + i));
		ImagePlus hyper = new ImagePlus("hyper", s);
		hyper.setDimensions(2, 1, 2); // 2 channels x 2 frames
		ImagePlus comp = new ij.CompositeImage(hyper, ij.IJ.COMPOSITE);
		comp.setPosition(1, 1, 2);
		int[][] before = TestImages.bits(comp);
		boolean[] mask = TestImages.rect(W, H, 30, 30, 8, 8);
		InpaintImage.Result r = InpaintImage.run(DemoModel.get(), comp, mask, options(1), Progress.NONE);
		assertTrue(r.image.isComposite(), "a composite stays composite");
		int[][] after = TestImages.bits(r.image);
		assertArrayEquals(before[0], after[0], "frame 1 is not the current frame");
		assertArrayEquals(before[1], after[1]);
		assertFalse(java.util.Arrays.equals(before[2], after[2]), "channel 1 of the current frame filled");
		assertFalse(java.util.Arrays.equals(before[3], after[3]), "channel 2 of the current frame filled");
	}

	@Test
	void imagesSmallerThanTheNativeWindowAreMirrored() {
		ImagePlus imp = TestImages.image("thin", 32, 100, 20, 3);
		boolean[] mask = TestImages.rect(100, 20, 40, 6, 10, 8);
		int[] before = TestImages.bits(imp)[0];
		InpaintImage.Options o = options(1);
		int[] after = TestImages.bits(InpaintImage.run(DemoModel.get(), imp, mask, o, Progress.NONE).image)[0];
		TestImages.assertFilledInsideOnly(before, after, mask, 100, o.grow);
	}

	@Test
	void nanInsideTheMaskIsFilled() {
		ImagePlus imp = TestImages.image("src", 32, W, H, 14);
		imp.getProcessor().setf(33, 33, Float.NaN);
		InpaintImage.Options o = options(1);
		ImagePlus out = InpaintImage.run(DemoModel.get(), imp, TestImages.rect(W, H, 30, 30, 6, 6), o, Progress.NONE).image;
		assertFalse(Float.isNaN(out.getProcessor().getf(33, 33)));
	}

	/**
	 * NaN in the context around the selection is no data (a mosaic's blank border beside the region to fill): the
	 * model sees it filled harmonically, it stays NaN in the result, and the fill is finite and within the values
	 * around it. Before, the run was refused.
	 */
	@Test
	void nanAroundTheMaskIsNoDataAndStaysNaN() {
		ImagePlus imp = TestImages.image("mosaic", 32, W, H, 16);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < 22; x++) imp.getProcessor().setf(x, y, Float.NaN); // a blank strip beside the hole
		boolean[] mask = TestImages.rect(W, H, 26, 30, 8, 8);
		int[] before = TestImages.bits(imp)[0];
		InpaintImage.Options o = options(1);
		ImageProcessor out = InpaintImage.run(DemoModel.get(), imp, mask, o, Progress.NONE).image.getProcessor();
		TestImages.assertFilledInsideOnly(before, TestImages.bits(new ImagePlus("out", out))[0], mask, W, o.grow);
		double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
		for (int i = 0; i < mask.length; i++)
			if (!mask[i] && !Float.isNaN(imp.getProcessor().getf(i))) {
				lo = Math.min(lo, imp.getProcessor().getf(i));
				hi = Math.max(hi, imp.getProcessor().getf(i));
			}
		for (int i = 0; i < mask.length; i++)
			if (mask[i]) {
				float v = out.getf(i);
				assertTrue(v >= lo && v <= hi, "fill value " + v + " at " + i % W + "," + i / W + " outside [" + lo + ", " + hi + "]");
			}
	}

	@Test
	void lineSelectionsFillTheirWidth() {
		ImagePlus imp = TestImages.image("src", 8, W, H, 15);
		Roi line = new ij.gui.Line(10, 10, 60, 50);
		line.setStrokeWidth(3);
		imp.setRoi(line);
		assertTrue(Masks.count(Selections.maskOf(imp)) > 100);
	}

	@Test
	void theSeamChoiceIsBlendHarmonizeCorrectOrHard() {
		InpaintImage.Options o = new InpaintImage.Options();
		assertEquals(Seam.BLEND, o.seam, "the band blend is the default");
		assertEquals(Seam.HARMONIZE, o.seam("harmonize").seam);
		assertEquals(Seam.HARD, o.seam("HARD").seam);
		assertEquals(Seam.CORRECT, o.seam(" correct ").seam);
		assertMessage("seam must be one of blend, harmonize", () -> o.seam("soft"));
	}

	private static void assertMessage(String part, org.junit.jupiter.api.function.Executable run) {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, run);
		assertTrue(e.getMessage().contains(part), "expected a message about '" + part + "', got: " + e.getMessage());
	}
}
