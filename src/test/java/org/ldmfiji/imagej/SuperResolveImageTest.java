package org.ldmfiji.imagej;

import org.ldmfiji.task.DemoModel;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.TestImages;
import org.ldmfiji.task.Consistency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.VirtualStack;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.IjImages;
import org.ldmfiji.image.Quality;

import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Image-level x4 super-resolution on the demo bundle: sizes, types, ranges, consistency, calibration, bad input. */
class SuperResolveImageTest {

	private static SuperResolveImage.Options options(long seed) {
		SuperResolveImage.Options o = new SuperResolveImage.Options();
		o.sampling = DemoModel.fast(seed);
		o.samples = 1; // the default of 8 where a test says so
		return o;
	}

	@Test
	void outputIsExactlyFourTimesForOddAndEvenSizes() {
		int[][] sizes = {{13, 10}, {16, 16}, {9, 21}};
		for (int[] s : sizes) {
			ImagePlus out = SuperResolveImage.run(DemoModel.get(), TestImages.image("im", 8, s[0], s[1], 1), options(1),
				Progress.NONE).image;
			assertEquals(4 * s[0], out.getWidth(), "width of x4 of " + s[0] + "x" + s[1]);
			assertEquals(4 * s[1], out.getHeight(), "height of x4 of " + s[0] + "x" + s[1]);
			assertEquals("im-x4", out.getTitle());
		}
	}

	@TestFactory
	Stream<DynamicTest> typeAndRangeAreKeptAndConsistencyHolds() {
		return IntStream.of(8, 16, 32).mapToObj(bits -> DynamicTest.dynamicTest(bits + "-bit", () -> typeAndRange(bits)));
	}

	/** With consistency on, the result area-downsampled by 4 reproduces the input: >= 40 dB over the input's range. */
	private static void typeAndRange(int bitDepth) {
		ImagePlus in = TestImages.image("im", bitDepth, 20, 18, 3);
		ImagePlus out = SuperResolveImage.run(DemoModel.get(), in, options(2), Progress.NONE).image;
		assertEquals(bitDepth, out.getBitDepth());
		FloatPlanes low = IjImages.read(in.getProcessor());
		FloatPlanes down = Consistency.areaDownsample(IjImages.read(out.getProcessor()), 4);
		double range = in.getProcessor().getStatistics().max - in.getProcessor().getStatistics().min;
		double psnr = Quality.psnr(down, low, range);
		assertTrue(psnr >= 40, bitDepth + "-bit: area-downsampled output vs input " + psnr + " dB < 40 dB");
	}

	/**
	 * A smooth image through super-resolution (the mean of 8 samples, consistency on) gets no block steps from the
	 * consistency step: its correction (the result with the step minus the result without, same seed) changes across
	 * the 4 × 4 block borders by about its slope there (grid ratio 1.18 on this image: the correction lies in a smooth
	 * B-spline basis; the least-gradient correction, piecewise quadratic and steepest at the borders, gave 2.0, the
	 * blockwise back-projection's changed only there, ratio 6·10⁴), lowers the result's grid ratio (1.33 to 1.27: the
	 * rest is the decoder's), and brings the result closer to the smooth truth the input was area-downsampled from.
	 */
	@Test
	void consistencyAddsNoBlockStepsToASmoothImage() {
		FloatPlanes truth = FloatPlanes.zeros(1, 96, 128);
		for (int y = 0; y < 96; y++)
			for (int x = 0; x < 128; x++)
				truth.set(0, y, x, (float) (120 + 60 * Math.sin(x / 17.0) * Math.cos(y / 23.0) + 0.2 * (x - y)));
		FloatPlanes low = Consistency.areaDownsample(truth, 4);
		ImagePlus in = new ImagePlus("smooth", new ij.process.FloatProcessor(32, 24, low.data().clone()));
		SuperResolveImage.Options o = options(3);
		o.samples = new SuperResolveImage.Options().samples;
		assertEquals(8, o.samples, "the default: the mean of 8 samples");
		FloatPlanes on = IjImages.read(SuperResolveImage.run(DemoModel.get(), in, o, Progress.NONE).image.getProcessor());
		o.consistency = false;
		FloatPlanes off = IjImages.read(SuperResolveImage.run(DemoModel.get(), in, o, Progress.NONE).image.getProcessor());
		FloatPlanes correction = on.copy();
		for (int i = 0; i < correction.data().length; i++) correction.data()[i] -= off.data()[i];
		double ratio = Quality.gridRatio(correction, 4);
		double rms = 0;
		for (float v : correction.data()) rms += v * v;
		rms = Math.sqrt(rms / correction.data().length);
		assertTrue(ratio <= 1.4, "grid ratio of the consistency correction " + ratio + " (RMS " + rms + "; the result's "
			+ Quality.gridRatio(on, 4) + ", without the step " + Quality.gridRatio(off, 4) + ")");
		// no block steps: the step may move the grid ratio toward the truth's (the demo decoder smooths block borders a
		// little, below 1), never above both the result without it and the truth's
		double before = Quality.gridRatio(off, 4), after = Quality.gridRatio(on, 4), real = Quality.gridRatio(truth, 4);
		assertTrue(after <= Math.max(before, real) * 1.01, "the step raised the result's grid ratio from " + before
			+ " to " + after + " (truth " + real + ")");
		assertTrue(Quality.psnr(on, truth, 255) > Quality.psnr(off, truth, 255), "closer to the truth");
	}

	@Test
	void consistencyOffStillGivesFourTimesTheSize() {
		SuperResolveImage.Options o = options(2);
		o.consistency = false;
		ImagePlus out = SuperResolveImage.run(DemoModel.get(), TestImages.image("im", 16, 12, 12, 3), o, Progress.NONE).image;
		assertEquals(48, out.getWidth());
		assertTrue(((String) out.getProperty("Info")).contains("consistency (back-projection): off"));
	}

	@Test
	void calibrationIsDividedByFourAndProvenanceWritten() {
		ImagePlus in = TestImages.image("im", 16, 12, 10, 4);
		in.getCalibration().pixelWidth = 0.4;
		in.getCalibration().pixelHeight = 0.6;
		in.getCalibration().setUnit("um");
		ImagePlus out = SuperResolveImage.run(DemoModel.get(), in, options(1), Progress.NONE).image;
		assertEquals(0.1, out.getCalibration().pixelWidth, 1e-12);
		assertEquals(0.15, out.getCalibration().pixelHeight, 1e-12);
		assertEquals("µm", out.getCalibration().getUnit());
		String info = (String) out.getProperty("Info");
		assertTrue(info.contains("super-resolution x4") && info.contains("SHA-256") && info.contains("seed: 1"), info);
	}

	@Test
	void sameSeedSameResult() {
		ImagePlus in = TestImages.image("im", 32, 12, 12, 5);
		int[][] a = TestImages.bits(SuperResolveImage.run(DemoModel.get(), in, options(3), Progress.NONE).image);
		int[][] b = TestImages.bits(SuperResolveImage.run(DemoModel.get(), in, options(3), Progress.NONE).image);
		assertArrayEquals(a, b);
	}

	@Test
	void stacksPlaneByPlaneAndRgbChannelByChannel() {
		ImagePlus stack = TestImages.stack("st", 16, 10, 8, 2);
		ImagePlus out = SuperResolveImage.run(DemoModel.get(), stack, options(1), Progress.NONE).image;
		assertEquals(2, out.getStackSize());
		assertEquals(40, out.getWidth());
		ImagePlus rgb = TestImages.image("rgb", 24, 10, 8, 1);
		ImagePlus rgbOut = SuperResolveImage.run(DemoModel.get(), rgb, options(1), Progress.NONE).image;
		assertEquals(24, rgbOut.getBitDepth());
		assertEquals(32, rgbOut.getHeight());
	}

	@Test
	void compositeImagesKeepChannelsLutsAndMode() {
		ij.ImageStack s = new ij.ImageStack(10, 8);
		s.addSlice(TestImages.plane(16, 10, 8, 1));
		s.addSlice(TestImages.plane(16, 10, 8, 2));
		ImagePlus hyper = new ImagePlus("two", s);
		hyper.setDimensions(2, 1, 1);
		ij.CompositeImage comp = new ij.CompositeImage(hyper, ij.IJ.COMPOSITE);
		ImagePlus out = SuperResolveImage.run(DemoModel.get(), comp, options(1), Progress.NONE).image;
		assertEquals(2, out.getNChannels());
		assertTrue(out.isComposite());
		assertEquals(40, out.getWidth());
	}

	@Test
	void largeInputsGoThroughFusedLatentTilesAndKeepTheSize() {
		SuperResolveImage.Options o = options(1);
		o.tile = 16;
		ImagePlus in = TestImages.image("im", 32, 40, 23, 6);
		ImagePlus out = SuperResolveImage.run(DemoModel.get(), in, o, Progress.NONE).image;
		assertEquals(160, out.getWidth());
		assertEquals(92, out.getHeight());
		String info = (String) out.getProperty("Info");
		java.util.regex.Matcher tiles = java.util.regex.Pattern.compile("\\((\\d+) latent tile\\(s\\)").matcher(info);
		assertTrue(tiles.find() && Integer.parseInt(tiles.group(1)) > 1, "several latent tiles fused: " + info);
		double range = in.getProcessor().getStatistics().max - in.getProcessor().getStatistics().min;
		double psnr = Quality.psnr(Consistency.areaDownsample(IjImages.read(out.getProcessor()), 4),
			IjImages.read(in.getProcessor()), range);
		assertTrue(psnr >= 40, "tiled result vs input " + psnr + " dB");
	}

	@Test
	void severalSamplesGiveMeanAndStd() {
		SuperResolveImage.Options o = options(1);
		o.samples = 2;
		o.consistency = false;
		SuperResolveImage.Result r = SuperResolveImage.run(DemoModel.get(), TestImages.image("im", 32, 8, 8, 1), o,
			Progress.NONE);
		assertNotNull(r.std);
		assertEquals(32, r.std.getWidth());
		assertTrue(r.std.getProcessor().getStatistics().max > 0, "two samples differ somewhere");
	}

	/**
	 * NaN pixels are no data (a mosaic's blank border, a dead pixel): the result is NaN on exactly their 4 × 4 blocks,
	 * and finite and consistent with the input (>= 40 dB) everywhere else. Before, the run was refused.
	 */
	@Test
	void nanPixelsStayNoDataOnTheirBlocks() {
		ImagePlus in = TestImages.image("mosaic", 32, 24, 20, 5);
		ImageProcessor ip = in.getProcessor();
		for (int y = 0; y < 20; y++)
			for (int x = 0; x < 6 - y / 5; x++) ip.setf(x, y, Float.NaN); // a blank border, stepped
		ip.setf(15, 9, Float.NaN); // a dead pixel
		ImageProcessor out = SuperResolveImage.run(DemoModel.get(), in, options(6), Progress.NONE).image.getProcessor();
		FloatPlanes down = Consistency.areaDownsample(IjImages.read(out), 4);
		double range = ip.getStatistics().max - ip.getStatistics().min, se = 0;
		int n = 0;
		for (int y = 0; y < 20; y++)
			for (int x = 0; x < 24; x++) {
				boolean blank = Float.isNaN(ip.getf(x, y));
				for (int dy = 0; dy < 4; dy++)
					for (int dx = 0; dx < 4; dx++) assertEquals(blank, Float.isNaN(out.getf(4 * x + dx, 4 * y + dy)),
						"result pixel (" + (4 * x + dx) + ", " + (4 * y + dy) + ") of source (" + x + ", " + y + ")");
				if (blank) continue;
				se += Math.pow(down.get(0, y, x) - ip.getf(x, y), 2);
				n++;
			}
		double psnr = 10 * Math.log10(range * range / (se / n));
		assertTrue(psnr >= 40, "area-downsampled output vs input where there is data: " + psnr + " dB");
	}

	@Test
	void badInputIsRefused() {
		assertMessage("smaller", () -> SuperResolveImage.run(DemoModel.get(), TestImages.image("t", 8, 3, 8, 1), options(1),
			Progress.NONE));
		SuperResolveImage.Options current = options(1);
		current.allPlanes = false;
		assertMessage("current plane", () -> SuperResolveImage.run(DemoModel.get(), TestImages.stack("st", 8, 8, 8, 2),
			current, Progress.NONE));
		ImagePlus inf = TestImages.image("inf", 32, 8, 8, 1);
		inf.getProcessor().setf(3, 3, Float.POSITIVE_INFINITY);
		assertMessage("infinite", () -> SuperResolveImage.run(DemoModel.get(), inf, options(1), Progress.NONE));
		assertMessage("would need", () -> SuperResolveImage.run(DemoModel.get(), hugeVirtualStack(), options(1),
			Progress.NONE));
		assertMessage("2^31", () -> SuperResolveImage.run(DemoModel.get(), hugePlane(), options(1), Progress.NONE));
	}

	/** 2000 planes of 4000x4000 that are never read: the x4 result would need 32 GB. */
	private static ImagePlus hugeVirtualStack() {
		VirtualStack s = new VirtualStack(4000, 4000, null, System.getProperty("java.io.tmpdir")) {
			@Override
			public ImageProcessor getProcessor(int n) {
				return new ByteProcessor(4000, 4000);
			}
		};
		for (int i = 0; i < 2000; i++) s.addSlice("plane" + i);
		return new ImagePlus("huge", s);
	}

	private static ImagePlus hugePlane() {
		return new ImagePlus("wide", new ByteProcessor(11600, 11600)); // x4: 46400^2 > 2^31 pixels
	}

	private static void assertMessage(String part, org.junit.jupiter.api.function.Executable run) {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, run);
		assertTrue(e.getMessage().contains(part), "expected a message about '" + part + "', got: " + e.getMessage());
		assertFalse(e.getMessage().isBlank());
	}
}
