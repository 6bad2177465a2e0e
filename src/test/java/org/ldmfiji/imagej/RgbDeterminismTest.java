package org.ldmfiji.imagej;

import org.ldmfiji.task.DemoModel;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.TestImages;
import org.ldmfiji.task.SamplingSettings;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ij.ImagePlus;

import org.junit.jupiter.api.Test;

/**
 * Issue 16: colour inpainting with one seed must be bit-identical from run to run, like grey. An RGB image on the
 * one-channel demo model is filled channel by channel (three sampling runs per window); two samples bring in the
 * seam correction that runs on the fork-join pool; the second run is on another thread, as Fiji runs each command.
 */
class RgbDeterminismTest {

	@Test
	void rgbInpaintingTwiceWithOneSeedIsBitIdentical() throws Exception {
		ImagePlus imp = TestImages.image("rgb", 24, 96, 80, 3);
		boolean[] mask = TestImages.rect(96, 80, 30, 26, 28, 18);
		int[][] first = fill(imp, mask);
		int[][][] second = new int[1][][];
		Thread other = new Thread(() -> second[0] = fill(imp, mask));
		other.start();
		other.join();
		assertArrayEquals(first, second[0], "same seed, same settings: the RGB fills differ");
	}

	private static int[][] fill(ImagePlus imp, boolean[] mask) {
		InpaintImage.Options o = new InpaintImage.Options();
		o.sampling = new SamplingSettings(SamplingSettings.SamplerKind.DPMPP2M, 6, 11, 0);
		o.samples = 2;
		o.grow = 4;
		o.feather = 4;
		return TestImages.bits(InpaintImage.run(DemoModel.get(), imp, mask, o, Progress.NONE).image);
	}
}
